/**
 * The rotation maths, over random key lists and instants (fast-check). The pain point: a new key used before
 * every JWKS copy Convex may hold has it (the backend does not refetch on an unknown kid) signs users out
 * until the cache runs out (MCPJam/inspector PR #1606). These properties are what "never rejects a live
 * token" means, with Convex's cache modelled as "any copy fetched in the last max-age".
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { resolveKeyTimes, type IssuerKeyOptions } from "../../src/issuer/options";
import {
  newestKeyPublishedAt,
  publishLeadMs,
  publishedKeysAt,
  rotationProblems,
  rotationWindows,
  signingKeyAt,
  type KeyWindow,
  type RotationPolicy,
} from "../../src/issuer/rotation";

const T = Date.UTC(2030, 0, 1);
const S = 1000;
const DAY = 86_400 * S;
const runs = { numRuns: Number(process.env.PROPERTY_RUNS ?? 300) };

const policyArb: fc.Arbitrary<RotationPolicy> = fc.record({
  jwksMaxAgeMs: fc.integer({ min: 1, max: 86_400 }).map((s) => s * S),
  marginMs: fc.integer({ min: 0, max: 600 }).map((s) => s * S),
  maxLifetimeMs: fc.integer({ min: 11, max: 86_400 }).map((s) => s * S),
  expiryLeewayMs: fc.constant(5 * S),
});

/** A valid key list as the app would write it: each later key with signFrom and/or publishFrom. */
function keyListArb(policy: RotationPolicy): fc.Arbitrary<IssuerKeyOptions[]> {
  const lead = publishLeadMs(policy);
  const step = fc.record({
    gap: fc.integer({ min: 1, max: 30 * DAY }),
    early: fc.integer({ min: 0, max: 10 * DAY }),
    form: fc.constantFrom("both", "signFrom", "publishFrom"),
  });
  return fc
    .record({ firstSignFrom: fc.option(fc.integer({ min: -DAY, max: 0 })), steps: fc.array(step, { maxLength: 5 }) })
    .map(({ firstSignFrom, steps }) => {
      const keys: IssuerKeyOptions[] = [
        firstSignFrom === null ? { kid: "k0" } : { kid: "k0", signFrom: T + firstSignFrom },
      ];
      let signFrom = T + (firstSignFrom ?? 0);
      steps.forEach(({ gap, early, form }, i) => {
        signFrom += gap;
        // `publishFrom` alone makes signFrom the earliest safe instant, so it is computed from the target.
        const publishFrom = signFrom - lead - early;
        const key: IssuerKeyOptions = { kid: `k${i + 1}` };
        if (form !== "publishFrom") key.signFrom = signFrom;
        if (form !== "signFrom") key.publishFrom = form === "both" ? publishFrom : signFrom - lead;
        keys.push(key);
      });
      return keys;
    });
}

const planArb = policyArb.chain((policy) =>
  keyListArb(policy).map((keys) => ({ policy, keys, windows: rotationWindows(resolveKeyTimes(keys, policy), policy) })),
);

const kidsAt = (windows: KeyWindow[], at: number) => publishedKeysAt(windows, at).map((w) => w.kid);
const lastSignFrom = (windows: KeyWindow[]) => windows.at(-1)!.signFrom;
/** An instant from the first key's start to a while after the last one (where every change happens). */
const instantArb = (windows: KeyWindow[], policy: RotationPolicy) => {
  const from = Number.isFinite(windows[0]!.signFrom) ? windows[0]!.signFrom : T - DAY;
  const to = Math.max(from, lastSignFrom(windows)) + 2 * (policy.maxLifetimeMs + publishLeadMs(policy)) + DAY;
  return fc.integer({ min: from, max: to });
};

describe("rotation maths (properties)", () => {
  it("the key that signs has been published for at least max-age + margin, so every cached JWKS copy has it", () => {
    fc.assert(
      fc.property(
        planArb.chain((p) =>
          fc.tuple(fc.constant(p), instantArb(p.windows, p.policy), fc.double({ min: 0, max: 1, noNaN: true })),
        ),
        ([{ policy, windows }, t, u]) => {
          const signer = signingKeyAt(windows, t);
          expect(signer).toBeDefined();
          expect(t - signer!.publishFrom).toBeGreaterThanOrEqual(policy.jwksMaxAgeMs + policy.marginMs);
          // Convex validates at t with a copy fetched at any f in [t − max-age, t].
          const fetchedAt = Math.round(t - u * policy.jwksMaxAgeMs);
          expect(kidsAt(windows, fetchedAt)).toContain(signer!.kid);
          expect(kidsAt(windows, t)).toContain(signer!.kid);
        },
      ),
      runs,
    );
  });

  it("a token stays verifiable until it has expired (with the backend's 5 s leeway), against any cached copy", () => {
    // The edge that matters is the last token of a retiring key, validated at its expiry: aim there half the time.
    const lastMoments = (windows: KeyWindow[]) =>
      windows.length > 1
        ? fc
            .tuple(fc.integer({ min: 0, max: windows.length - 2 }), fc.integer({ min: 1, max: 10 * S }))
            .map(([i, before]) => Math.max(windows[i]!.signFrom, windows[i]!.signUntil - before))
        : fc.constant(windows[0]!.signFrom === -Infinity ? T : windows[0]!.signFrom);
    fc.assert(
      fc.property(
        planArb.chain((p) =>
          fc.tuple(
            fc.constant(p),
            fc.oneof(instantArb(p.windows, p.policy), lastMoments(p.windows)),
            fc.oneof(fc.constant(1), fc.double({ min: 0, max: 1, noNaN: true })),
            fc.oneof(fc.constant(0), fc.double({ min: 0, max: 1, noNaN: true })),
          ),
        ),
        ([{ policy, windows }, signedAt, v, u]) => {
          const kid = signingKeyAt(windows, signedAt)!.kid;
          const validatedAt = Math.floor(signedAt + v * (policy.maxLifetimeMs + policy.expiryLeewayMs));
          const fetchedAt = Math.round(validatedAt - u * policy.jwksMaxAgeMs);
          expect(kidsAt(windows, fetchedAt)).toContain(kid);
        },
      ),
      runs,
    );
  });

  it("instances agree: the same list gives the same answers; a retired key eventually leaves the JWKS", () => {
    fc.assert(
      fc.property(
        planArb.chain((p) => fc.tuple(fc.constant(p), instantArb(p.windows, p.policy))),
        ([{ policy, keys, windows }, t]) => {
          const again = rotationWindows(resolveKeyTimes(structuredClone(keys), policy), policy);
          expect(signingKeyAt(again, t)?.kid).toBe(signingKeyAt(windows, t)?.kid);
          expect(kidsAt(again, t)).toEqual(kidsAt(windows, t));
          const end = lastSignFrom(windows) + policy.maxLifetimeMs + policy.expiryLeewayMs + publishLeadMs(policy);
          expect(kidsAt(windows, Math.max(end, t))).toEqual([windows.at(-1)!.kid]);
        },
      ),
      runs,
    );
  });

  it("Last-Modified is honest: any copy fetched between it and now holds every key published now", () => {
    fc.assert(
      fc.property(
        planArb.chain((p) =>
          fc.tuple(fc.constant(p), instantArb(p.windows, p.policy), fc.double({ min: 0, max: 1, noNaN: true })),
        ),
        ([{ windows }, t, u]) => {
          const since = newestKeyPublishedAt(windows, t) ?? t - 30 * DAY;
          const fetchedAt = Math.round(since + u * (t - since));
          for (const kid of kidsAt(windows, t)) expect(kidsAt(windows, fetchedAt)).toContain(kid);
        },
      ),
      runs,
    );
  });

  it("a list is refused exactly when some key would sign before max-age + margin after it is published", () => {
    fc.assert(
      fc.property(
        policyArb,
        fc.array(fc.record({ gap: fc.integer({ min: 1, max: DAY }), lead: fc.integer({ min: 0, max: 2 * DAY }) }), {
          minLength: 1,
          maxLength: 4,
        }),
        (policy, steps) => {
          let signFrom = T;
          const keys: IssuerKeyOptions[] = [{ kid: "k0" }];
          steps.forEach(({ gap, lead }, i) => {
            signFrom += gap;
            keys.push({ kid: `k${i + 1}`, publishFrom: signFrom - lead, signFrom });
          });
          const safe = steps.every((s) => s.lead >= publishLeadMs(policy));
          if (safe) expect(() => resolveKeyTimes(keys, policy)).not.toThrow();
          else expect(() => resolveKeyTimes(keys, policy)).toThrow(/jwksMaxAgeSec \+ rotationMarginSec/);
        },
      ),
      runs,
    );
  });
});

describe("rotation maths (examples)", () => {
  const policy: RotationPolicy = {
    jwksMaxAgeMs: 300 * S,
    marginMs: 60 * S,
    maxLifetimeMs: 900 * S,
    expiryLeewayMs: 5 * S,
  };
  const keys: IssuerKeyOptions[] = [
    { kid: "a" },
    { kid: "b", publishFrom: "2030-01-02T00:00:00Z" },
    { kid: "c", signFrom: "2030-01-03T00:00:00Z" },
  ];
  const windows = rotationWindows(resolveKeyTimes(keys, policy), policy);
  const at = (iso: string, plusSec = 0) => Date.parse(iso) + plusSec * S;

  it("derives the timeline: b signs 6 min after it is published; a leaves the JWKS 15 min + 5 s + 6 min later", () => {
    const b = windows[1]!;
    expect([b.publishFrom, b.signFrom]).toEqual([at("2030-01-02T00:00:00Z"), at("2030-01-02T00:06:00Z")]);
    expect(windows[0]!.unpublishAt).toBe(at("2030-01-02T00:06:00Z", 900 + 5 + 360));
    expect(windows[2]!.publishFrom).toBe(at("2030-01-02T23:54:00Z"));
    expect(kidsAt(windows, at("2030-01-01T12:00:00Z"))).toEqual(["a"]);
    expect(kidsAt(windows, at("2030-01-02T00:00:00Z"))).toEqual(["a", "b"]);
    expect(signingKeyAt(windows, at("2030-01-02T00:05:59Z"))?.kid).toBe("a");
    expect(signingKeyAt(windows, at("2030-01-02T00:06:00Z"))?.kid).toBe("b");
    expect(kidsAt(windows, at("2030-01-02T00:06:00Z", 900 + 5 + 360))).toEqual(["b"]);
    expect(signingKeyAt(windows, at("2030-01-03T00:00:00Z"))?.kid).toBe("c");
  });

  it("newestKeyPublishedAt: since when the JWKS holds all its keys (Last-Modified); removals do not count", () => {
    expect(newestKeyPublishedAt(windows, at("2030-01-01T12:00:00Z"))).toBeUndefined();
    expect(newestKeyPublishedAt(windows, at("2030-01-02T00:03:00Z"))).toBe(at("2030-01-02T00:00:00Z"));
    expect(newestKeyPublishedAt(windows, at("2030-01-02T01:00:00Z"))).toBe(at("2030-01-02T00:00:00Z"));
    expect(newestKeyPublishedAt(windows, at("2030-01-03T00:00:00Z"))).toBe(at("2030-01-02T23:54:00Z"));
  });

  it("rotationProblems names the option and the instant to use instead", () => {
    const problems = rotationProblems(
      [
        { kid: "a", publishFrom: -Infinity, signFrom: -Infinity },
        { kid: "b", publishFrom: T, signFrom: T + 120 * S },
        { kid: "c", publishFrom: T, signFrom: T + 60 * S },
      ],
      policy,
    );
    expect(problems.map((p) => p.path)).toEqual(["keys[1].signFrom", "keys[2].signFrom", "keys[2].signFrom"]);
    expect(problems[0]!.message).toBe(
      "`keys[1].signFrom` (2030-01-01T00:02:00.000Z) is only 120 s after `keys[1].publishFrom` " +
        "(2030-01-01T00:00:00.000Z), " +
        'when kid "b" is added to the JWKS. Convex may keep a copy of the JWKS without it for jwksMaxAgeSec + ' +
        "rotationMarginSec = 360 s and rejects its tokens meanwhile: set signFrom to 2030-01-01T00:06:00.000Z or " +
        "later " +
        "(or leave it out: it defaults to the earliest safe instant), or publish the key earlier.",
    );
    expect(problems[1]!.message).toMatch(
      /is not after `keys\[1\]\.signFrom`.*list the keys in the order they start signing/,
    );
  });
});
