/**
 * The one answer loop both fetchers share: it asks the policy again at every change of the manager and once
 * the manager's fetchTimeoutMs has passed, asks the manager for what the policy waits for (once), resolves
 * `null` at once for a call Convex superseded, never rejects and never hangs on a manager that gave up
 * (get-convex/convex-auth#363 left a socket paused for good), and leaves no listener or timer behind.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { AskSituation } from "../../src/convex/ask-situation";
import { runAnswer } from "../../src/convex/run-answer";
import { type FakeTokenSource, fakeTokenSource } from "./fake-token-source";

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

/** Answer a forced call of Convex's, made `how`, for a client holding `held`; the source holds "A" by default. */
function answering(
  how: AskSituation,
  options: { held?: string | null; superseded?: AbortSignal; source?: FakeTokenSource } = {},
) {
  const source = options.source ?? fakeTokenSource();
  if (!options.source) source.hold("A", { issuedAt: Date.now() - 60_000, expiresAt: Date.now() + 60_000 });
  let result: string | null | undefined;
  const done = runAnswer(source, {
    ask: { forceRefreshToken: true },
    how,
    held: options.held === undefined ? "A" : options.held,
    leewayMs: 10_000,
    superseded: options.superseded ?? new AbortController().signal,
  }).then(({ answer }) => (result = answer));
  return { source, done, result: () => result };
}

describe("runAnswer at Convex's scheduled refetch", () => {
  it("waits while the manager holds the client's token, then resolves the next one", async () => {
    const w = answering("scheduled");
    await vi.advanceTimersByTimeAsync(0);
    expect(w.result()).toBeUndefined();
    w.source.hold("A", { failures: 1 }); // a change that brings no new token
    await vi.advanceTimersByTimeAsync(60_000); // and fetchTimeoutMs passes: the socket runs, it waits on
    expect(w.result()).toBeUndefined();
    expect(w.source.getTokenCalls).toEqual([]); // the manager's own rotation: nothing asked of it
    w.source.hold("B", { issuedAt: Date.now() });
    await w.done;
    expect(w.result()).toBe("B");
    expect(w.source.live()).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("resolves at once when the manager already holds a young token the client lacks", async () => {
    const source = fakeTokenSource();
    source.hold("B", { issuedAt: Date.now() });
    const w = answering("scheduled", { source });
    await w.done;
    expect(w.result()).toBe("B");
    expect(source.live()).toBe(0);
  });

  const nothingToWaitFor = {
    "the manager signs out": { status: "signedOut" },
    "the manager is disposed": { status: "disposed" },
    "the held token expires once the manager gave up": { hasToken: false, status: "retrying", exhausted: true },
  } as const;
  for (const [name, fields] of Object.entries(nothingToWaitFor)) {
    it(`resolves null when ${name}`, async () => {
      const w = answering("scheduled");
      w.source.hold(null, fields);
      await w.done;
      expect(w.result()).toBeNull();
      expect(w.source.live()).toBe(0);
    });
  }

  it("keeps waiting when the held token expires while the manager still tries (joins its next try)", async () => {
    const w = answering("scheduled");
    w.source.answer = () => new Promise(() => {}); // the manager's next try is pending
    w.source.hold(null, { hasToken: false, status: "retrying", exhausted: false });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(w.result()).toBeUndefined();
    expect(w.source.getTokenCalls).toEqual([undefined]);
    w.source.hold("B", { issuedAt: Date.now(), status: "valid" });
    await w.done;
    expect(w.result()).toBe("B");
  });
});

describe("runAnswer at Convex's start or after a rejection (the socket waits)", () => {
  for (const how of ["start", "rejected"] as const) {
    it(`${how}: with no token, asks the manager once, answers null exactly fetchTimeoutMs after the call`, async () => {
      const source = fakeTokenSource();
      source.answer = () => new Promise(() => {});
      source.hold(null, { status: "fetching" });
      const w = answering(how, { source, held: null });
      source.hold(null, { status: "retrying", failures: 1 });
      await vi.advanceTimersByTimeAsync(source.fetchTimeoutMs - 1);
      expect(w.result()).toBeUndefined();
      await vi.advanceTimersByTimeAsync(1);
      expect(w.result()).toBeNull();
      expect(source.getTokenCalls).toEqual([undefined]);
      expect(source.live()).toBe(0);
    });
  }

  it("after a rejection, forces one new token and hands it over the moment it comes", async () => {
    const w = answering("rejected");
    w.source.answer = () => new Promise(() => {});
    w.source.hold("A", { status: "fetching" });
    w.source.hold("A", { status: "retrying", failures: 1 });
    await vi.advanceTimersByTimeAsync(3_000);
    expect(w.source.getTokenCalls).toEqual([{ forceRefresh: true }]);
    w.source.hold("B", { issuedAt: Date.now(), status: "valid" });
    await w.done;
    expect(w.result()).toBe("B");
  });
});

describe("runAnswer, whatever happens", () => {
  it("resolves null when Convex supersedes the call, and removes its abort listener", async () => {
    const superseded = new AbortController();
    let abortListeners = 0;
    const add = superseded.signal.addEventListener.bind(superseded.signal);
    const remove = superseded.signal.removeEventListener.bind(superseded.signal);
    superseded.signal.addEventListener = (...args: Parameters<AbortSignal["addEventListener"]>) => {
      abortListeners++;
      add(...args);
    };
    superseded.signal.removeEventListener = (...args: Parameters<AbortSignal["removeEventListener"]>) => {
      abortListeners--;
      remove(...args);
    };
    const w = answering("scheduled", { superseded: superseded.signal });
    await vi.advanceTimersByTimeAsync(0);
    expect(abortListeners).toBe(1);
    superseded.abort();
    await w.done;
    expect(w.result()).toBeNull();
    expect(w.source.live()).toBe(0);
    expect(abortListeners).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("resolves null at once for a call already superseded", async () => {
    const w = answering("scheduled", { superseded: AbortSignal.abort() });
    await w.done;
    expect(w.result()).toBeNull();
    expect(w.source.live()).toBe(0);
  });

  it("never rejects: a token source that throws is answered null", async () => {
    const source = fakeTokenSource();
    source.getSnapshot = () => {
      throw new Error("broken");
    };
    const w = answering("start", { source });
    await w.done;
    expect(w.result()).toBeNull();
  });
});
