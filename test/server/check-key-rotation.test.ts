/**
 * `doctor`'s checks of a live issuer's JWKS caching and key rotation (diagnoseToken over HTTP). The pain
 * points: a JWKS without `Cache-Control` fetched by the backend for every token (get-convex/better-auth PR
 * #438: 372 fetches in an hour), and a key used before every cached JWKS copy has it, which signs live users
 * out until the cache runs out (MCPJam/inspector PR #1606).
 */
import { exportPKCS8, generateKeyPair } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { createIssuer, jwksHandler, type Issuer } from "../../src/issuer/index";
import { BACKEND_MESSAGES, diagnoseToken, type CustomJwtProvider } from "../../src/server/index";
import { createTestIssuer, type TestIssuer } from "../../src/testing/index";

const T = Date.UTC(2030, 0, 1);
const S = 1000;
const JWKS_URL = "https://auth.test/.well-known/jwks.json";

/** A fetch that answers the JWKS URL with `respond()` (no network). */
const fetchFrom = (respond: (request: Request) => Response) =>
  (async (input: RequestInfo | URL, init?: RequestInit) => respond(new Request(input, init))) as typeof fetch;

const finding = async (token: string, provider: CustomJwtProvider, now: number, respond: (r: Request) => Response) =>
  (await diagnoseToken(token, [provider], { now, fetch: fetchFrom(respond) })).findings;

describe("the JWKS's Cache-Control", () => {
  let issuer: TestIssuer;
  beforeAll(async () => {
    issuer = await createTestIssuer({ algorithm: "ES256", now: () => T });
  });
  const served = (cacheControl?: string) => () =>
    new Response(JSON.stringify(issuer.jwks()), {
      headers: { "Content-Type": "application/json", ...(cacheControl ? { "Cache-Control": cacheControl } : {}) },
    });

  it.each([
    ["no Cache-Control", undefined],
    ["no-store", "no-store"],
    ["no-cache", "public, no-cache"],
    ["max-age=0", "max-age=0"],
  ])("%s: a warning that Convex fetches it for every token, with the fix", async (_name, cacheControl) => {
    const findings = await finding(
      await issuer.sign(),
      { ...issuer.provider, jwks: JWKS_URL },
      T,
      served(cacheControl),
    );
    expect(findings.find((f) => f.check === "jwks")).toMatchObject({
      status: "warn",
      code: "JWKS_CACHE_MISSING",
      message: expect.stringContaining("Convex fetches the JWKS again for every token it validates"),
      fix: expect.stringContaining("Cache-Control: public, max-age=300"),
    });
  });

  it("public, max-age=300 passes; a data: URL (no headers) is not warned about", async () => {
    const token = await issuer.sign();
    const ok = await finding(token, { ...issuer.provider, jwks: JWKS_URL }, T, served("public, max-age=300"));
    expect(ok.find((f) => f.check === "jwks")?.status).toBe("pass");
    const data = await diagnoseToken(token, [issuer.provider], { now: T });
    expect(data.findings.find((f) => f.check === "jwks")?.status).toBe("pass");
  });
});

describe("the token's kid in every copy Convex may hold (Last-Modified + max-age)", () => {
  let kit: Issuer;
  let now = T;
  beforeAll(async () => {
    const pems = await Promise.all(
      [0, 1].map(async () => exportPKCS8((await generateKeyPair("ES256", { extractable: true })).privateKey)),
    );
    kit = await createIssuer({
      issuer: "https://auth.test",
      applicationID: "convex",
      jwksMaxAgeSec: 300,
      rotationMarginSec: 60,
      keys: [
        { kid: "old", privateKey: pems[0]! },
        { kid: "new", privateKey: pems[1]!, publishFrom: T + 3600 * S },
      ],
      clock: { now: () => now },
    });
  });
  const kid = async (at: number) => {
    now = at;
    const { token } = await kit.mint("user_1");
    return (await finding(token, kit.provider(JWKS_URL), at, jwksHandler(kit))).find((f) => f.check === "kid");
  };

  it("the kit's rotation passes at every step: before, while the new key waits, after it signs", async () => {
    const H = 3600 * S;
    for (const at of [T, T + H + 30 * S, T + H + 359 * S, T + H + 360 * S, T + 5 * H]) {
      expect(await kid(at), new Date(at).toISOString()).toMatchObject({ status: "pass" });
    }
    expect((await kid(T + 3600 * S + 360 * S))?.message).toMatch(
      /kid "new" is in the JWKS, and in every copy Convex may hold \(all its keys are published since 2030-01-01T01:00/,
    );
  });

  describe("a naive issuer (the new key signs the moment it is published)", () => {
    let naive: TestIssuer;
    let rotatedAt = 0;
    beforeAll(async () => {
      naive = await createTestIssuer({ algorithm: "ES256", now: () => now });
      now = T;
      await naive.rotateKey({ keepOld: true });
      rotatedAt = T;
    });
    const answer = () =>
      new Response(JSON.stringify(naive.jwks()), {
        headers: {
          "Content-Type": "application/json",
          "Cache-Control": "public, max-age=300",
          "Last-Modified": new Date(rotatedAt).toUTCString(),
        },
      });
    const provider = () => ({ ...naive.provider, jwks: JWKS_URL });

    it("right after the rotation: KID_MAYBE_NOT_CACHED, with the backend's message and until when", async () => {
      now = T + 20 * S;
      const f = (await finding(await naive.sign(), provider(), now, answer)).find((x) => x.check === "kid");
      expect(f).toMatchObject({
        status: "warn",
        code: "KID_MAYBE_NOT_CACHED",
        backendMessage: BACKEND_MESSAGES.badKid(naive.kid),
      });
      expect(f!.message).toBe(
        `kid ${JSON.stringify(naive.kid)} is in the JWKS as its newest key (listed last), published at ` +
          "2030-01-01T00:00:00.000Z (Last-Modified), 20 s ago: a Convex deployment that fetched the JWKS before " +
          "keeps that copy until 2030-01-01T00:05:00.000Z (max-age 300 s) and rejects this token until then.",
      );
    });

    it("later, a token signed then: KEY_PUBLISHED_LATE (its key signed before every copy could have it)", async () => {
      now = T + 20 * S;
      const early = await naive.sign();
      now = T + 600 * S;
      const f = (await finding(early, provider(), now, answer)).find((x) => x.check === "kid");
      expect(f).toMatchObject({ status: "warn", code: "KEY_PUBLISHED_LATE" });
      expect(f!.message).toMatch(/this token was signed 20 s later, within the JWKS's max-age \(300 s\)/);
      // A token signed after the window passes; so does a token of the previous key (not the newest).
      const kidOf = async (token: string) =>
        (await finding(token, provider(), now, answer)).find((x) => x.check === "kid");
      expect((await kidOf(await naive.sign()))?.status).toBe("pass");
      const previous = naive.jwks().keys[0]!.kid as string;
      expect(await kidOf(await naive.mint({ kid: previous }))).toMatchObject({
        status: "pass",
        message: `kid ${JSON.stringify(previous)} is in the JWKS (not its newest key).`,
      });
    });
  });
});
