/**
 * The findings table: every code's fix names the party who must act (the issuer, the app's
 * convex/auth.config.ts, or the app), and a reported finding carries its row. Pain point guarded
 * (peer-token-managers notes): a diagnosis that says what is wrong but not whose move it is leaves users
 * bouncing between their identity provider's settings and their Convex config.
 */
import { describe, expect, it } from "vitest";
import { FINDINGS, FIXES, diagnoseToken, type FindingParty } from "../../src/server";
import { createTestIssuer } from "../../src/testing";

/** How each party is named in a fix. */
const NAMED: Record<FindingParty, RegExp> = {
  issuer: /\bthe issuer\b/i,
  "auth.config": /convex\/auth\.config\.ts/,
  app: /\bthe app\b/i,
};

describe("FINDINGS", () => {
  it("names, in every fix, the party who must act", () => {
    for (const [code, row] of Object.entries(FINDINGS)) {
      expect(`${code}: ${row.fix}`).toMatch(NAMED[row.party]);
    }
  });

  it("is where FIXES comes from", () => {
    expect(FIXES).toEqual(Object.fromEntries(Object.entries(FINDINGS).map(([code, row]) => [code, row.fix])));
  });

  it("gives a reported failure or warning its row's check, party and fix", async () => {
    const T = Date.UTC(2030, 0, 1);
    const issuer = await createTestIssuer({ algorithm: "ES256", now: () => T });
    const { findings } = await diagnoseToken(await issuer.mint({ sub: null, iat: null }), [issuer.provider], {
      now: T,
    });
    const reported = findings.filter((f) => f.status === "fail" || f.status === "warn");
    expect(reported.map((f) => f.code)).toEqual(["SUB_MISSING", "IAT_MISSING"]);
    for (const f of reported) {
      const row = FINDINGS[f.code as keyof typeof FINDINGS];
      expect(f).toMatchObject({ check: row.check, party: row.party, fix: row.fix });
    }
    for (const f of findings.filter((f) => f.status === "pass" || f.status === "skip")) {
      expect(f).not.toHaveProperty("fix");
      expect(f).not.toHaveProperty("party");
    }
  });
});
