/**
 * The core's three promises (never sign out by mistake, never serve an expired token, never refresh twice)
 * under conditions real apps meet: caching issuers, whole-second claims on short tokens, claims Convex
 * rejects, hostile values, clock jumps and skew, long Retry-After, listeners that sign out or throw, Node
 * processes, secrets in URLs, outside signals. Time is the one FakeClock; the issuer's clock is the truth.
 * Each block names the pain point it guards against (peer token managers' issues) where there is one.
 */
import { afterEach, describe, expect, it } from "vitest";
import { TokenManager, httpTokenFetcher, type FetchContext, type TokenManagerOptions } from "../../src/index";
import { TokenEndpointError } from "../../src/core/errors";
import { createFakeClock, type FakeClock } from "../../src/testing/fake-clock";
import { fakeIssuer, type FakeIssuerOptions } from "../support/manager-harness";
import { unsignedJwt } from "../../src/testing/unsigned-jwt";

const T0 = Date.UTC(2026, 0, 1, 12);
const S = 1_000;
const MIN = 60 * S;
const HOUR = 60 * MIN;
const managers: TokenManager[] = [];
afterEach(() => {
  for (const manager of managers.splice(0)) manager.dispose();
});

interface WorldOptions {
  issuer?: FakeIssuerOptions;
  /** The local wall clock minus the true time at the start. */
  localOffsetMs?: number;
  manager?: Partial<TokenManagerOptions>;
  /** Replace the fetcher's behaviour (default: the issuer's token for the reason). */
  fetch?: (context: FetchContext, issuer: ReturnType<typeof fakeIssuer>) => Promise<unknown>;
}

function world(options: WorldOptions = {}) {
  const clock: FakeClock = createFakeClock({ now: T0 + (options.localOffsetMs ?? 0), random: () => 0.5 });
  clock.maxTimersPerAdvance = 10_000; // a refresh loop fails the test instead of hanging it
  const issuer = fakeIssuer(clock, T0, options.issuer);
  const calls: FetchContext[] = [];
  const logs: string[] = [];
  const manager = new TokenManager({
    clock,
    logger: { debug: (m) => logs.push(m), warn: (m) => logs.push(m), error: (m) => logs.push(m) },
    fetchToken: async (context) => {
      calls.push(context);
      if (calls.length > 5_000) throw new Error("a fetch loop: over 5,000 fetches");
      return (options.fetch ? options.fetch(context, issuer) : issuer.token(context.reason)) as Promise<string>;
    },
    ...options.manager,
  });
  managers.push(manager);
  const events: { name: string; payload: any }[] = [];
  for (const name of ["token", "refreshing", "error", "warning", "signedOut", "discarded", "state"] as const) {
    manager.on(name, (payload: unknown) => events.push({ name, payload }));
  }
  const expiredServes: number[] = [];
  const rejections: unknown[] = [];
  /** getToken, checked against the issuer's clock: a served token must still be valid there. */
  const get = async (opts?: Parameters<TokenManager["getToken"]>[0]) => {
    try {
      const token = await manager.getToken(opts);
      if (token !== null && issuer.remaining(token) <= (opts?.minValidityMs ?? 0))
        expiredServes.push(issuer.remaining(token));
      return token;
    } catch (error) {
      rejections.push(error);
      return undefined;
    }
  };
  /** Call getToken() every `everyMs` for `forMs`, without awaiting (as a busy app does). */
  const load = async (forMs: number, everyMs: number) => {
    for (let t = 0; t < forMs; t += everyMs) {
      void get();
      await clock.advance(everyMs);
    }
  };
  const codes = (name: string) =>
    events.filter((e) => e.name === name).map((e) => e.payload.code ?? e.payload.error?.code);
  return { clock, issuer, calls, logs, manager, events, codes, get, load, expiredServes, rejections };
}

describe("caching issuers (peer-token-managers: SDK getToken() caches; auth0/auth0-spa-js#1158)", () => {
  it("3-s tokens from an issuer that mints below 200 ms left: a few fetches per token, never a loop", async () => {
    const w = world({ issuer: { lifetimeSec: 3, remintBelowMs: 200 } });
    await w.load(30 * S, 10);
    expect(w.issuer.minted).toBeGreaterThanOrEqual(8);
    expect(w.calls.length).toBeLessThanOrEqual(3 * w.issuer.minted); // today: about 270 fetches in one second
    expect(w.expiredServes).toEqual([]);
  });

  it("15-min tokens: no burst of fetches, no skew invented from the same token, nothing served expired", async () => {
    const w = world({ issuer: { lifetimeSec: 900, remintBelowMs: 45 * S } });
    const fetchTimes: number[] = [];
    w.manager.on("refreshing", () => fetchTimes.push(w.clock.monotonicNow()));
    for (let i = 0; i < 3_600; i++) {
      void w.get();
      await w.clock.advance(S);
      expect(w.manager.getSnapshot().clockSkewMs).toBe(0); // today: "about 840 s ahead"
    }
    const bursts = fetchTimes.filter((t, i) => i > 0 && t - fetchTimes[i - 1]! < 500);
    expect(bursts).toEqual([]); // today: 5 fetches at the same instant
    expect(w.calls.length).toBeLessThanOrEqual(w.issuer.minted + 3); // a first rotation's probes, then one each
    expect(w.expiredServes).toEqual([]); // today: 154 expired tokens, up to 765 s past exp
    expect(w.rejections).toEqual([]);
  });

  it("learns where the issuer mints again: after the first rotation, one fetch per rotation", async () => {
    const w = world({ issuer: { lifetimeSec: 900, remintBelowMs: 45 * S } });
    await w.get();
    await w.clock.advance(2 * 900 * S); // two rotations: the first one learns
    const before = w.calls.length;
    const minted = w.issuer.minted;
    await w.clock.advance(4 * 900 * S);
    expect(w.calls.length - before).toBe(w.issuer.minted - minted);
    expect(w.issuer.minted - minted).toBe(4);
  });

  it(
    "forceRefresh that gets the held token back warns WARN_TOKEN_NOT_RENEWED (mint when reason is " + '"forced")',
    async () => {
      const w = world({ issuer: { remintBelowMs: 60 * S, ignoresForced: true } });
      const first = await w.get();
      expect(await w.manager.refresh()).toBe(first);
      const warning = w.events.find((e) => e.name === "warning" && e.payload.code === "WARN_TOKEN_NOT_RENEWED");
      expect(warning?.payload.message).toMatch(/"forced"/);
      expect(w.calls).toHaveLength(2);
      await w.manager.refresh(); // a second one costs one more fetch, no loop
      await w.clock.advance(S);
      expect(w.calls.length).toBeLessThanOrEqual(3);
    },
  );

  it("a warning listener that signs out on WARN_TOKEN_NOT_RENEWED stays signed out (invariant 3)", async () => {
    const w = world({ issuer: { remintBelowMs: 60 * S, ignoresForced: true } });
    await w.get();
    w.manager.on("warning", () => w.manager.signOut());
    expect(await w.manager.refresh()).toBeNull();
    expect(w.manager.getSnapshot()).toMatchObject({ status: "signedOut", hasToken: false });
    expect(await w.get()).toBeNull();
    expect(w.manager.peekToken()).toBeNull();
  });
});

describe("short tokens with whole-second claims (authts/oidc-client-ts#996: refresh loops)", () => {
  it("1-s tokens: at most one more try per backoff step, never a loop", async () => {
    const w = world({ issuer: { lifetimeSec: 1 } });
    await w.clock.advance(900); // mint late in a second: the token arrives with 100 ms left
    await w.load(S, 5);
    expect(w.calls.length).toBeLessThanOrEqual(4); // today: 138 fetches in one second
    expect(w.rejections.length).toBeLessThanOrEqual(w.calls.length * 50); // settled, not looping
    expect(w.expiredServes).toEqual([]);
  });

  it("a per-call minValidityMs longer than the issuer's tokens fails fast after one fetch", async () => {
    const w = world();
    const results = [];
    for (let i = 0; i < 20; i++)
      results.push(await w.manager.getToken({ minValidityMs: 20 * MIN }).catch((e: { code: string }) => e.code));
    expect(results).toEqual(Array(20).fill("ERR_TOKEN_TOO_SHORT_LIVED"));
    expect(w.calls).toHaveLength(1); // today: 20 fetches
    expect(await w.get()).toBeTypeOf("string"); // the default still works
  });
});

describe("claims Convex rejects are reported first, with a code and the fix", () => {
  const T0S = T0 / 1000;
  it.each([
    ["exp in milliseconds", { exp: (T0S + 900) * 1000 }, "ERR_TOKEN_EXP_NOT_SECONDS", /seconds/],
    ["exp beyond the range of Date", { exp: 1e20 }, "ERR_TOKEN_EXP_NOT_SECONDS", /seconds/],
    ["nbf in the future", { nbf: T0S + 600 }, "ERR_TOKEN_NOT_YET_VALID", /nbf/],
    ["no sub", { sub: undefined }, "ERR_TOKEN_MISSING_SUB", /sub/],
  ])("%s", async (_, claims, code, fix) => {
    const w = world({ fetch: async () => unsignedJwt({ sub: "u", iat: T0S, exp: T0S + 900, ...claims }) });
    const error = (await w.manager.getToken().catch((e: unknown) => e)) as { code: string; message: string };
    expect(error.code).toBe(code);
    expect(error.message).toMatch(fix);
    expect(w.calls).toHaveLength(1);
  });

  it("trims whitespace around a token read from a text body", async () => {
    const token = unsignedJwt({ sub: "u", iat: T0 / 1000, exp: T0 / 1000 + 900 });
    const w = world({ fetch: async () => `\n ${token} \r\n` });
    expect(await w.manager.getToken()).toBe(token);
  });
});

describe("hostile values never leave a caller pending or a rejection unhandled (invariants 5, 10)", () => {
  const hostile: [string, () => unknown][] = [
    [
      "an object whose toString throws",
      () => ({
        toString: () => {
          throw new Error("no");
        },
      }),
    ],
    ["an object with a null prototype", () => Object.create(null)],
    [
      "an Error whose message getter throws",
      () =>
        Object.defineProperty(new Error(), "message", {
          get: () => {
            throw new Error("no");
          },
        }),
    ],
    ["undefined", () => undefined],
    ["a Symbol", () => Symbol("x")],
  ];
  it.each(hostile)("a fetcher rejecting with %s", async (_, value) => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on("unhandledRejection", onUnhandled);
    try {
      const w = world({ manager: { retry: { attempts: 2, baseDelayMs: 100 } }, fetch: () => Promise.reject(value()) });
      const settled = w.manager.getToken().then(
        () => "resolved",
        () => "rejected",
      );
      await w.clock.advance(10 * S);
      expect(await settled).toBe("rejected"); // today: pending forever
      expect(w.logs.every((line) => typeof line === "string")).toBe(true);
      await new Promise((resolve) => setTimeout(resolve, 10));
      expect(unhandled).toEqual([]);
    } finally {
      process.off("unhandledRejection", onUnhandled);
    }
  });

  it("a logger that throws, and listeners that throw, break nothing", async () => {
    const boom = () => {
      throw new Error("boom");
    };
    const w = world({ manager: { logger: { debug: boom, warn: boom, error: boom } } });
    for (const name of ["token", "refreshing", "state", "warning"] as const) w.manager.on(name, boom);
    w.manager.subscribe(boom);
    expect(await w.get()).toBeTypeOf("string");
  });
});

describe("time: the issuer's clock is the truth (supabase/auth-js#856, koala73/worldmonitor#5932)", () => {
  it("the wall clock jumps back 1 h: the token still stops being served at its real expiry", async () => {
    let n = 0;
    const w = world({
      fetch: async (_, issuer) => (n++ === 0 ? issuer.token() : Promise.reject(new TypeError("offline"))),
    });
    await w.get();
    await w.clock.advance(MIN);
    w.clock.jump(-HOUR);
    for (let i = 0; i < 20 * 6; i++) {
      await w.get();
      await w.clock.advance(10 * S);
    }
    expect(w.expiredServes).toEqual([]); // today: served up to 3,530 s past its real expiry
  });

  it(
    "the wall clock jumps forward 1 h: callers get a token " + "(no ERR_TOKEN_EXPIRED), fetched at once if need be",
    async () => {
      const w = world();
      await w.get();
      await w.clock.advance(MIN);
      w.clock.jump(HOUR);
      for (let i = 0; i < 60; i++) {
        expect(await w.get()).toBeTypeOf("string");
        await w.clock.advance(MIN);
      }
      expect(w.rejections).toEqual([]); // today: ERR_TOKEN_EXPIRED for 2 minutes → a Convex sign-out
      expect(w.expiredServes).toEqual([]);
      expect(w.calls.length).toBeLessThanOrEqual(7);
    },
  );

  it.each([-HOUR, HOUR])(
    "a clock without monotonicNow is conservative: a %d ms jump serves nothing expired, callers get tokens",
    async (jump) => {
      let failing = false;
      const w = world({
        fetch: async (_, issuer) => (failing ? Promise.reject(new TypeError("down")) : issuer.token()),
      });
      const fake = w.clock;
      const manager = new TokenManager({
        clock: { now: fake.now, setTimeout: fake.setTimeout, clearTimeout: fake.clearTimeout, random: fake.random },
        fetchToken: async () => (failing ? Promise.reject(new TypeError("down")) : w.issuer.token()),
      });
      managers.push(manager);
      const first = await manager.getToken();
      await fake.advance(MIN);
      fake.jump(jump);
      await fake.advance(10 * S);
      const after = await manager.getToken();
      expect(w.issuer.remaining(after!)).toBeGreaterThan(0);
      failing = true; // from now on only the held token can be served: never past its real expiry
      for (let i = 0; i < 20 * 6; i++) {
        const token = await manager.getToken().catch(() => null);
        if (token) expect(w.issuer.remaining(token)).toBeGreaterThan(0);
        await fake.advance(10 * S);
      }
      expect(first).toBeTypeOf("string");
    },
  );

  it(
    "after a forward jump, an old cached token is not " + "taken for a fresh one (found by the property test)",
    async () => {
      const w = world({ issuer: { remintBelowMs: 3 * MIN, ignoresForced: true } });
      await w.get();
      w.clock.jump(53 * MIN);
      w.manager.signOut(); // forgets the tokens it saw, not how the clocks relate
      await w.clock.advance(8 * MIN);
      // the issuer hands back its cached token, 8 minutes old: the jump, not the token, explains the gap
      w.manager.start();
      expect(await w.get({ minValidityMs: 10 * MIN })).toBeUndefined();
      expect(w.rejections).toMatchObject([{ code: "ERR_TOKEN_TOO_SHORT_LIVED" }]);
      expect(w.expiredServes).toEqual([]);
    },
  );

  it.each([
    ["2 h behind", -2 * HOUR],
    ["2 h ahead", 2 * HOUR],
    ["10 min behind", -10 * MIN],
    ["10 min ahead", 10 * MIN],
  ])(
    "a local clock %s: tokens served, none past exp, errors about time name the clock and maxClockSkewMs",
    async (_, offset) => {
      const w = world({ localOffsetMs: offset });
      for (let i = 0; i < 90; i++) {
        expect(await w.get()).toBeTypeOf("string"); // today (2 h ahead): every token rejected as expired
        await w.clock.advance(MIN);
      }
      expect(w.expiredServes).toEqual([]); // today (2 h behind): served up to 3,510 s past exp
      expect(w.calls.length).toBeLessThanOrEqual(8);
      if (Math.abs(offset) > HOUR) {
        const warning = w.events.find((e) => e.name === "warning" && e.payload.code === "WARN_CLOCK_SKEW_BEYOND_BOUND");
        expect(warning?.payload.message).toMatch(/this clock.*maxClockSkewMs/);
      }
    },
  );

  it("a token already expired on arrival is reported with the clock and maxClockSkewMs", async () => {
    let n = 0;
    const w = world({
      fetch: async (_, issuer) =>
        n++ === 0 ? issuer.token() : unsignedJwt({ sub: "u", iat: T0 / 1000 - 100, exp: T0 / 1000 - 10 }),
    });
    await w.get(); // a first token tells the manager the clocks agree
    const error = (await w.manager.refresh().catch((e: unknown) => e)) as Error & { code: string };
    expect(error.code).toBe("ERR_TOKEN_EXPIRED");
    expect(error.message).toMatch(/this clock.*maxClockSkewMs/);
  });

  it("sleep: nothing served expired after the machine wakes, and the token is re-checked within seconds", async () => {
    const w = world();
    await w.get();
    await w.clock.sleep(20 * MIN);
    await w.clock.advance(5 * S);
    expect(w.calls.length).toBe(2);
    expect(await w.get()).toBeTypeOf("string");
    expect(w.expiredServes).toEqual([]);
  });
});

describe("failure policy", () => {
  it(
    "a 429 with Retry-After: 86400 and no token: the caller's error comes in seconds, the next try within the 1-h " +
      "cap",
    async () => {
      const w = world({
        fetch: () =>
          Promise.reject(new TokenEndpointError(429, "slow down", { retryable: true, retryAfterMs: 86_400_000 })),
      });
      const settled = w.manager.getToken().then(
        () => "resolved",
        (e: { code: string }) => e.code,
      );
      await w.clock.advance(S);
      expect(await settled).toBe("ERR_TOKEN_FETCH_FAILED"); // today: after 3 h
      const next = w.manager.getSnapshot().nextFetchAt!;
      expect(next - w.clock.now()).toBeLessThanOrEqual(HOUR);
    },
  );

  it(
    "the cap holds on every path: a non-retryable answer " + "with Retry-After: 86400 retries within the hour",
    async () => {
      const w = world({
        fetch: () => Promise.reject(new TokenEndpointError(400, "bad", { retryable: false, retryAfterMs: 86_400_000 })),
      });
      await w.manager.getToken().catch(() => {});
      expect(w.manager.getSnapshot().nextFetchAt! - w.clock.now()).toBeLessThanOrEqual(HOUR); // today: a day out
    },
  );

  it(
    "signOut() from a refreshing listener during the " + "first fetch: the caller gets null and no fetch starts",
    async () => {
      const w = world();
      w.manager.once("refreshing", () => w.manager.signOut());
      const result = await Promise.race([w.manager.getToken(), w.clock.advance(MIN).then(() => "pending")]);
      expect(result).toBeNull(); // today: pending forever
      expect(w.calls).toHaveLength(0); // today: the fetcher is called with an aborted signal
    },
  );

  it("signOut() from a token listener: no later listener gets that token event", async () => {
    const w = world();
    const seen: string[] = [];
    w.manager.on("token", () => w.manager.signOut());
    w.manager.on("token", () => seen.push("token"));
    w.manager.on("signedOut", () => seen.push("signedOut"));
    expect(await w.manager.getToken()).toBeNull();
    expect(seen).toEqual(["signedOut"]);
  });

  it.each(["state", "subscribe"] as const)(
    "signOut() from a %s listener as the token arrives: no token event, the caller gets null",
    async (where) => {
      const w = world();
      const seen: string[] = [];
      let armed = false;
      const signOutOnValid = () => {
        if (armed && w.manager.getSnapshot().status === "valid") {
          armed = false;
          w.manager.signOut();
        }
      };
      if (where === "state") w.manager.on("state", signOutOnValid);
      else w.manager.subscribe(signOutOnValid);
      w.manager.on("token", () => seen.push("token"));
      w.manager.on("refreshing", () => seen.push("refreshing"));
      armed = true;
      expect(await w.manager.getToken()).toBeNull();
      expect(seen).toEqual(["refreshing"]); // found by the property test: a token event after signOut()
      expect(w.manager.peekToken()).toBeNull();
    },
  );

  it.each(["token", "signedOut"] as const)(
    "a throwing %s listener does not stop the listeners after it (the Convex adapter's own)",
    async (name) => {
      const w = world();
      const after: string[] = [];
      w.manager.on(name, () => {
        throw new Error("app bug");
      });
      w.manager.on(name, () => after.push(name));
      await w.get();
      w.manager.signOut();
      expect(after).toEqual([name]);
      expect(w.logs.some((l) => l.includes("app bug"))).toBe(true);
    },
  );

  it("keeps a Node process alive while a caller waits (a 503 on the first fetch), not while idle", async () => {
    let n = 0;
    const w = world({
      fetch: async (_, issuer) =>
        n++ === 0 ? Promise.reject(new TokenEndpointError(503, "down", { retryable: true })) : issuer.token(),
    });
    const pending = w.manager.getToken();
    await w.clock.advance(0);
    expect(w.clock.refed).toBe(1); // the retry timer is ref'd: the script does not exit silently
    await w.clock.advance(2 * S);
    expect(await pending).toBeTypeOf("string");
    expect(w.clock.pending).toBe(1);
    expect(w.clock.refed).toBe(0); // the refresh timer alone does not keep it alive
  });
});

describe("secrets: no URL query string, userinfo or whole token in errors and logs (invariant 7)", () => {
  it("a token-exchange URL (?id_token=<jwt>) shows up nowhere", async () => {
    const jwt = unsignedJwt({ sub: "secret-user", iat: 1, exp: 2 });
    const url = `https://me:hunter2@auth.test/exchange?id_token=${jwt}`;
    const fetchToken = httpTokenFetcher({ url, fetch: async () => new Response("no", { status: 500 }) });
    const networkDown = httpTokenFetcher({
      url,
      fetch: async () => Promise.reject(new TypeError(`fetch failed for ${url}`)),
    });
    for (const fetcher of [fetchToken, networkDown]) {
      const w = world({ manager: { fetchToken: fetcher, retry: { attempts: 2, baseDelayMs: 10 } } });
      const error = (
        await Promise.all([w.manager.getToken().catch((e: unknown) => e), w.clock.advance(S)])
      )[0] as Error;
      const texts = [
        error.message,
        ...w.logs,
        ...w.events.map((e) => JSON.stringify(e.payload?.message ?? "")),
        ...w.events.filter((e) => e.name === "error").map((e) => String(e.payload.error.message)),
      ];
      for (const text of texts) {
        expect(text).not.toContain("hunter2");
        expect(text).not.toContain("id_token=");
        expect(text).not.toContain(jwt.split(".")[1]);
      }
    }
  });
});

describe("notify(): outside signals through one entry point", () => {
  it('"focus" and "wake" refresh a token past its refresh point at once', async () => {
    for (const signal of ["focus", "wake"] as const) {
      const w = world();
      await w.get();
      w.clock.jump(14 * MIN); // the refresh point passed without the timer seeing it yet
      await w.clock.sleep(0);
      const before = w.calls.length;
      w.manager.notify(signal);
      await w.clock.advance(0);
      expect(w.calls.length).toBeGreaterThanOrEqual(before);
      expect(w.calls.at(-1)!.reason === signal || w.calls.at(-1)!.reason === "wake").toBe(true);
    }
  });

  it('"offline" spends no retries; "online" retries at once, bypassing backoff', async () => {
    let down = true;
    const w = world({
      manager: { retry: { attempts: 2 } },
      fetch: async (_, issuer) => (down ? Promise.reject(new TypeError("network down")) : issuer.token()),
    });
    w.manager.notify("offline");
    const first = w.manager.getToken().catch((e: { code: string }) => e.code);
    await w.clock.advance(HOUR);
    expect(await first).toBe("ERR_TOKEN_FETCH_FAILED"); // a caller is not left waiting for the network
    expect(w.calls).toHaveLength(1); // the background retry waits for "online"
    down = false;
    w.manager.notify("online");
    await w.clock.advance(S); // "online" refreshes within a second
    expect(w.calls).toHaveLength(2);
    expect(w.calls[1]).toMatchObject({ reason: "online", attempt: 1 }); // no attempt was spent offline
    expect(w.manager.getSnapshot().status).toBe("valid");
  });

  it("never throws, whatever it is sent and whenever", () => {
    const w = world();
    w.manager.dispose();
    expect(() => w.manager.notify("online")).not.toThrow();
    expect(() => w.manager.notify("bogus" as never)).not.toThrow();
  });
});
