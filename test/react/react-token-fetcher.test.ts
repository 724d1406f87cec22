/**
 * The React hook's fetcher on its own, against a fake token source: the shared answer policy as the hook
 * uses it (no push: at Convex's scheduled refetch it waits for the manager's rotation; at its start or after
 * a rejection, one fetchTimeoutMs at most), and the contract Convex needs of any fetcher (never throws,
 * `null` once unmounted: Convex's own provider lets a scheduled refetch sign an unmounted client back in).
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { reactTokenFetcher } from "../../src/react/react-token-fetcher";
import { fakeTokenSource } from "../convex/fake-token-source";

const S = 1_000;
const MIN = 60 * S;

/** A source holding token `raw`, issued `ageMs` ago, for 15 minutes; its next fetch `nextInMs` from now. */
function holding(raw: string, ageMs: number, nextInMs: number | null) {
  const source = fakeTokenSource();
  const issuedAt = Date.now() - ageMs;
  const nextFetchAt = nextInMs === null ? null : Date.now() + nextInMs;
  source.hold(raw, { issuedAt, expiresAt: issuedAt + 15 * MIN, nextFetchAt });
  return source;
}

/** A mounted fetcher whose client holds `raw` (handed over while young). */
async function handedOver(source: ReturnType<typeof holding>, raw: string) {
  const fetcher = reactTokenFetcher(source, 10);
  fetcher.retain();
  await expect(fetcher({ forceRefreshToken: true })).resolves.toBe(raw);
  return fetcher;
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe("reactTokenFetcher", () => {
  it("answers null while nothing that uses it is mounted, and when not forced", async () => {
    const source = holding("A", 0, 10 * MIN);
    const fetcher = reactTokenFetcher(source, 10);
    await expect(fetcher({ forceRefreshToken: true })).resolves.toBeNull();
    const release = fetcher.retain();
    await expect(fetcher({ forceRefreshToken: false })).resolves.toBeNull();
    release();
    release(); // released once only
    await expect(fetcher({ forceRefreshToken: true })).resolves.toBeNull();
    expect(source.getTokenCalls).toEqual([]);
  });

  it("at Convex's scheduled refetch, waits for the manager's planned rotation instead of fetching", async () => {
    // The client holds "A", 15 min − 10.5 s old: Convex's refetch (10 s before exp) is due.
    const source = holding("A", 0, 10 * MIN);
    const fetcher = await handedOver(source, "A");
    await vi.advanceTimersByTimeAsync(15 * MIN - 10_500);
    source.hold("A", { nextFetchAt: Date.now() + 2 * S });
    const answer = fetcher({ forceRefreshToken: true });
    source.hold("B", { issuedAt: Date.now(), expiresAt: Date.now() + 15 * MIN });
    await expect(answer).resolves.toBe("B");
    expect(source.getTokenCalls).toEqual([]);
  });

  // Issue 14: the socket runs on the held token, so waiting costs nothing; a forced fetch at each of Convex's
  // refetches would loop for tokens shorter than Convex's leeway (Convex refetches at once after confirming).
  it("at Convex's scheduled refetch with the rotation planned late, still waits for it", async () => {
    const source = holding("A", 0, 10 * MIN);
    const fetcher = await handedOver(source, "A");
    await vi.advanceTimersByTimeAsync(15 * MIN - 10_500);
    source.hold("A", { nextFetchAt: Date.now() + 6 * S }); // after exp − 5 s
    source.answer = async () => "B";
    const answer = fetcher({ forceRefreshToken: true });
    await vi.advanceTimersByTimeAsync(6 * S);
    expect(source.getTokenCalls).toEqual([]);
    source.hold("B", { issuedAt: Date.now(), expiresAt: Date.now() + 15 * MIN });
    await expect(answer).resolves.toBe("B");
  });

  it("long before the held token's end (a server rejection), asks for a newly minted token", async () => {
    const source = holding("A", 0, 10 * MIN);
    const fetcher = await handedOver(source, "A");
    source.answer = async () => "B";
    await expect(fetcher({ forceRefreshToken: true })).resolves.toBe("B");
    expect(source.getTokenCalls).toEqual([{ forceRefresh: true, signal: undefined }]);
  });

  // After a rejection, the manager's valid token is the one answer left that is not null (issue 14: null
  // only without a valid token); Convex counts its own token again as a failed re-authentication, as it
  // would null, and the next token is handed over when Convex asks.
  it("never throws: a failing manager answers its valid token (the rejected one), or null without one", async () => {
    const source = holding("A", 0, 10 * MIN);
    const fetcher = await handedOver(source, "A");
    source.answer = () => Promise.reject(new Error("endpoint down"));
    await expect(fetcher({ forceRefreshToken: true })).resolves.toBe("A");
    source.hold(null, { status: "retrying", exhausted: true });
    await expect(fetcher({ forceRefreshToken: true })).resolves.toBeNull();
  });

  it("unmounted while it waited: hands nothing to a client nobody renders", async () => {
    const source = fakeTokenSource();
    let arrive: (token: string) => void = () => {};
    source.answer = () => new Promise((resolve) => (arrive = resolve));
    const fetcher = reactTokenFetcher(source, 10);
    const release = fetcher.retain();
    const answer = fetcher({ forceRefreshToken: true });
    release();
    arrive("A");
    await expect(answer).resolves.toBeNull();
  });

  it("rejects a bad leeway with a TypeError naming the hook and the option", () => {
    expect(() => reactTokenFetcher(fakeTokenSource(), -1)).toThrow(
      /^useConvexCustomJwt: `authRefreshTokenLeewaySeconds` must be a number of seconds >= 0.*; got -1\./,
    );
  });
});
