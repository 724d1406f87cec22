/**
 * The React hook's fetcher on its own, against a fake token source: the shared answer policy as the hook
 * uses it (no push, so no deadline: it waits for a rotation only when one is planned in time), and the
 * contract Convex needs of any fetcher (never throws, `null` once unmounted: Convex's own provider lets a
 * scheduled refetch sign an unmounted client back in).
 */
import { describe, expect, it } from "vitest";
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
    source.hold("A", { issuedAt: Date.now() - 15 * MIN + 10_500, expiresAt: Date.now() + 10_500 });
    source.hold("A", { nextFetchAt: Date.now() + 2 * S });
    const answer = fetcher({ forceRefreshToken: true });
    source.hold("B", { issuedAt: Date.now(), expiresAt: Date.now() + 15 * MIN });
    await expect(answer).resolves.toBe("B");
    expect(source.getTokenCalls).toEqual([]);
  });

  it("at Convex's scheduled refetch with no rotation planned in time, asks for a newly minted token", async () => {
    const source = holding("A", 0, 10 * MIN);
    const fetcher = await handedOver(source, "A");
    source.hold("A", { issuedAt: Date.now() - 15 * MIN + 10_500, expiresAt: Date.now() + 10_500 });
    source.hold("A", { nextFetchAt: Date.now() + 6 * S }); // after exp − 5 s
    source.answer = async () => "B";
    await expect(fetcher({ forceRefreshToken: true })).resolves.toBe("B");
    expect(source.getTokenCalls).toEqual([{ forceRefresh: true, signal: undefined }]);
  });

  it("long before the held token's end (a server rejection), asks for a newly minted token", async () => {
    const source = holding("A", 0, 10 * MIN);
    const fetcher = await handedOver(source, "A");
    source.answer = async () => "B";
    await expect(fetcher({ forceRefreshToken: true })).resolves.toBe("B");
    expect(source.getTokenCalls).toEqual([{ forceRefresh: true, signal: undefined }]);
  });

  it("never throws: a failing manager answers null", async () => {
    const source = holding("A", 0, 10 * MIN);
    const fetcher = await handedOver(source, "A");
    source.answer = () => Promise.reject(new Error("endpoint down"));
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
