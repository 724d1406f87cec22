/**
 * The one wait loop both fetchers share: it resolves the manager's next token, `null` as soon as there is
 * nothing to wait for (a fetcher must never hang: get-convex/convex-auth#363 left a socket paused for
 * good), and leaves no listener behind.
 */
import { describe, expect, it } from "vitest";
import { nextToken } from "../../src/convex/next-token";
import { fakeTokenSource } from "./fake-token-source";

/** Settle pending promise callbacks. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

function waiting(signal?: AbortSignal) {
  const source = fakeTokenSource();
  source.hold("A", { expiresAt: Date.now() + 60_000 });
  let result: string | null | undefined;
  const done = nextToken(source, "A", signal).then((token) => (result = token));
  return { source, done, result: () => result };
}

describe("nextToken", () => {
  it("waits while the manager holds the client's token, then resolves the next one", async () => {
    const w = waiting();
    await settle();
    expect(w.result()).toBeUndefined();
    w.source.hold("A", { failures: 1 }); // a change that brings no new token
    await settle();
    expect(w.result()).toBeUndefined();
    w.source.hold("B");
    await w.done;
    expect(w.result()).toBe("B");
    expect(w.source.live()).toBe(0);
  });

  it("resolves at once when the manager already holds a token the client lacks", async () => {
    const source = fakeTokenSource();
    source.hold("B");
    await expect(nextToken(source, "A")).resolves.toBe("B");
    expect(source.live()).toBe(0);
  });

  const nothingToWaitFor = {
    "the manager signs out": { status: "signedOut" },
    "the manager is disposed": { status: "disposed" },
    "the held token expires": { hasToken: false },
  } as const;
  for (const [name, fields] of Object.entries(nothingToWaitFor)) {
    it(`resolves null when ${name}`, async () => {
      const w = waiting();
      w.source.hold(null, fields);
      await w.done;
      expect(w.result()).toBeNull();
      expect(w.source.live()).toBe(0);
    });
  }

  it("resolves null when the caller's deadline passes, and removes its abort listener", async () => {
    const deadline = new AbortController();
    let abortListeners = 0;
    const add = deadline.signal.addEventListener.bind(deadline.signal);
    const remove = deadline.signal.removeEventListener.bind(deadline.signal);
    deadline.signal.addEventListener = (...args: Parameters<AbortSignal["addEventListener"]>) => {
      abortListeners++;
      add(...args);
    };
    deadline.signal.removeEventListener = (...args: Parameters<AbortSignal["removeEventListener"]>) => {
      abortListeners--;
      remove(...args);
    };
    const w = waiting(deadline.signal);
    await settle();
    expect(abortListeners).toBe(1);
    deadline.abort();
    await w.done;
    expect(w.result()).toBeNull();
    expect(w.source.live()).toBe(0);
    expect(abortListeners).toBe(0);
  });

  it("resolves null at once for a deadline already passed", async () => {
    const source = fakeTokenSource();
    source.hold("A");
    await expect(nextToken(source, "A", AbortSignal.abort())).resolves.toBeNull();
    expect(source.live()).toBe(0);
  });
});
