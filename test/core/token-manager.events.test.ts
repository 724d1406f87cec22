/**
 * Contract details that changed copies of the code (mutants) used to get past: the default `minValidityMs`,
 * `dispose()` dropping every listener, the `discarded` outcome, the `state` event. On the one FakeClock.
 */
import v8 from "node:v8";
import vm from "node:vm";
import { afterEach, describe, expect, it } from "vitest";
import {
  TokenManager,
  type FetchContext,
  type TokenManagerOptions,
  type TokenSnapshot,
  type TokenSource,
} from "../../src/index";
import { createFakeClock } from "../../src/testing/fake-clock";
import { fakeIssuer } from "../support/manager-harness";

const T0 = Date.UTC(2026, 0, 1, 12);
const S = 1_000;
const managers: TokenManager[] = [];
afterEach(() => {
  for (const manager of managers.splice(0)) manager.dispose();
});

function setup(
  fetch?: (context: FetchContext, issuer: ReturnType<typeof fakeIssuer>) => Promise<string | null>,
  options: Partial<TokenManagerOptions> = {},
) {
  const clock = createFakeClock({ now: T0, random: () => 0.5 });
  const issuer = fakeIssuer(clock, T0);
  const manager = new TokenManager({
    clock,
    fetchToken: (context) => (fetch ? fetch(context, issuer) : Promise.resolve(issuer.token())),
    ...options,
  });
  managers.push(manager);
  return { clock, issuer, manager };
}

describe("the default minValidityMs (10 s) is honoured", () => {
  it("a token is served until 10 s before exp, not after, while refreshes fail", async () => {
    let n = 0;
    const { clock, manager } = setup(async (_, issuer) =>
      n++ === 0 ? issuer.token() : Promise.reject(new TypeError("down")),
    );
    const token = await manager.getToken();
    const exp = manager.getSnapshot().expiresAt!;
    await clock.advance(exp - clock.now() - 11 * S);
    expect(manager.peekToken()).toBe(token);
    await clock.advance(2 * S); // 9 s left
    expect(manager.peekToken()).toBeNull();
    await expect(manager.getToken()).rejects.toMatchObject({ code: "ERR_TOKEN_FETCH_FAILED" });
  });

  it("an explicit minValidityMs option replaces it", async () => {
    let n = 0;
    const { clock, manager } = setup(
      async (_, issuer) => (n++ === 0 ? issuer.token() : Promise.reject(new TypeError("down"))),
      {
        minValidityMs: 60 * S,
        refreshLeewayMs: 120 * S,
      },
    );
    await manager.getToken();
    const exp = manager.getSnapshot().expiresAt!;
    await clock.advance(exp - clock.now() - 61 * S);
    expect(manager.peekToken()).not.toBeNull();
    await clock.advance(2 * S);
    expect(manager.peekToken()).toBeNull();
  });
});

describe("dispose()", () => {
  it("drops subscribe() and on() listeners: nothing keeps them alive", async () => {
    v8.setFlagsFromString("--expose-gc");
    const gc = vm.runInNewContext("gc") as () => void;
    const { manager } = setup();
    const refs = ((): WeakRef<object>[] => {
      const a = () => {};
      const b = () => {};
      manager.subscribe(a);
      manager.on("state", b);
      return [new WeakRef(a), new WeakRef(b)];
    })();
    manager.dispose();
    await new Promise((resolve) => setTimeout(resolve, 0));
    gc();
    expect(refs.map((ref) => ref.deref())).toEqual([undefined, undefined]);
    expect(manager.getSnapshot().status).toBe("disposed");
  });
});

describe("discarded", () => {
  it.each([
    ["token", (issuer: ReturnType<typeof fakeIssuer>) => Promise.resolve(issuer.token())],
    ["null", () => Promise.resolve(null)],
    ["error", () => Promise.reject(new Error("late"))],
  ] as const)("a late %s after signOut() is dropped and reported as such", async (outcome, late) => {
    let release: () => void = () => {};
    const { clock, manager } = setup((_, issuer) =>
      new Promise<void>((resolve) => (release = resolve)).then(() => late(issuer)),
    );
    const discarded: unknown[] = [];
    const tokens: unknown[] = [];
    manager.on("discarded", (event) => discarded.push(event.outcome));
    manager.on("token", (event) => tokens.push(event));
    void manager.getToken();
    manager.signOut();
    release();
    await clock.advance(0);
    expect(discarded).toEqual([outcome]);
    expect(tokens).toEqual([]);
    expect(manager.getSnapshot().status).toBe("signedOut");
  });
});

describe("the state event", () => {
  it("fires on every change with the new snapshot, the same object getSnapshot() returns", async () => {
    const { clock, manager } = setup();
    const seen: TokenSnapshot[] = [];
    manager.on("state", (snapshot) => {
      expect(snapshot).toBe(manager.getSnapshot());
      seen.push(snapshot);
    });
    await manager.getToken();
    await clock.advance(15 * 60 * S);
    manager.signOut();
    expect(seen.map((s) => s.status)).toEqual(["fetching", "valid", "fetching", "valid", "signedOut"]);
  });
});

describe("TokenSource", () => {
  it("a hand-written fake satisfies it (adapters depend on it, not on the class)", async () => {
    const { manager } = setup();
    const snapshot = manager.getSnapshot();
    const fake: TokenSource = {
      fetchTimeoutMs: 10_000,
      getToken: async () => "a.b.c",
      peekToken: () => "a.b.c",
      getSnapshot: () => snapshot,
      subscribe: () => () => {},
      on: () => {},
      off: () => {},
      signOut: () => {},
      notify: () => {},
    };
    const real: TokenSource = manager; // the class implements it too
    expect(await fake.getToken()).toBe("a.b.c");
    expect(typeof real.notify).toBe("function");
  });
});
