/**
 * diagnoseToken's JWKS step (load-jwks.ts): every way the backend's `fetch_jwks` fails, with its exact string
 * and the same answer as the local deployment; JWK-set JSON, a JWKS cached for days, and offline checks
 * (a data: URL, or the JWKS given directly).
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BACKEND_MESSAGES, diagnoseToken } from "../../src/server";
import {
  T,
  deploymentAnswer,
  issuer,
  kidMsg,
  provider,
  served,
  useDiagnoseFixtures,
  withDeployment,
} from "./diagnose-fixtures";

useDiagnoseFixtures();

describe("diagnoseToken", () => {
  describe("JWKS", () => {
    let textUrl = "";
    let badBodyUrl = "";
    let longCacheUrl = "";
    let closePlain: () => Promise<void>;
    beforeAll(async () => {
      const server = createServer((req, res) => {
        if (req.url === "/text")
          res.writeHead(200, { "Content-Type": "text/plain" }).end(JSON.stringify(issuer.jwks()));
        else if (req.url === "/body") res.writeHead(200, { "Content-Type": "application/json" }).end('{"nokeys":true}');
        else
          res
            .writeHead(200, {
              "Content-Type": "application/jwk-set+json; charset=utf-8",
              "Cache-Control": "max-age=604800",
            })
            .end(JSON.stringify(issuer.jwks()));
      });
      await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      [textUrl, badBodyUrl, longCacheUrl] = [`${base}/text`, `${base}/body`, `${base}/long`];
      closePlain = () => new Promise((r) => server.close(() => r()));
    });
    afterAll(() => closePlain());

    const jwksCases: [string, () => string, string, (u: string) => string][] = [
      [
        "404",
        () => `${served.url}/missing.json`,
        "JWKS_HTTP_ERROR",
        (u: string) =>
          `Could not fetch JWKS from URL '${u}': HTTP 404 Not Found. Check that the URL is correct and accessible.`,
      ],
      [
        "text/plain",
        () => textUrl,
        "JWKS_CONTENT_TYPE",
        (u: string) =>
          `Invalid Content-Type 'text/plain' when fetching JWKS from '${u}'. Expected 'application/json' or ` +
          `'application/jwk-set+json'.`,
      ],
      [
        "not a JWKS",
        () => badBodyUrl,
        "JWKS_INVALID",
        (u: string) =>
          `Invalid JWKS response body from '${u}'. The response is not valid JSON or doesn't match the expected ` +
          `JWKS format.`,
      ],
      [
        "a bad data: URL",
        () => "data:application/json;base64,@@@",
        "JWKS_DATA_URL_INVALID",
        () => BACKEND_MESSAGES.jwksDataUrl,
      ],
      [
        "a closed port",
        () => "http://127.0.0.1:1/jwks.json",
        "JWKS_UNREACHABLE",
        (u: string) =>
          `Could not fetch JWKS from URL '${u}': error sending request for url (${u}). Check that the URL is ` +
          `correct and accessible.`,
      ],
    ];
    it.each(jwksCases)(
      "a JWKS at %s → its finding with the backend's string, as the deployment says",
      async (_n, url, code, message) => {
        const p = { ...provider, jwks: url() };
        const token = await issuer.sign();
        const d = await diagnoseToken(token, [p], { now: T });
        expect(d.findings.find((f) => f.check === "jwks")).toMatchObject({
          status: "fail",
          code,
          backendMessage: message(url()),
        });
        expect(d.findings.filter((f) => ["kid", "alg", "signature"].includes(f.check)).map((f) => f.status)).toEqual([
          "skip",
          "skip",
          "skip",
        ]);
        expect(await deploymentAnswer(await withDeployment([p]), token)).toEqual(d.backendError);
      },
    );

    it("accepts application/jwk-set+json and warns about a JWKS cached for days", async () => {
      const d = await diagnoseToken(await issuer.sign(), [{ ...provider, jwks: longCacheUrl }], { now: T });
      expect(d.ok).toBe(true);
      expect(d.findings.find((f) => f.check === "jwks")).toMatchObject({ status: "warn", code: "JWKS_CACHE_LONG" });
    });

    it("works offline: a data: URL, or the JWKS given directly (fetch is never called)", async () => {
      const noFetch = (() => Promise.reject(new Error("network used"))) as typeof fetch;
      const viaData = await diagnoseToken(await issuer.sign(), [issuer.provider], { now: T, fetch: noFetch });
      expect(viaData.ok).toBe(true);
      const given = await diagnoseToken(await issuer.sign(), [provider], {
        now: T,
        fetch: noFetch,
        jwks: issuer.jwks(),
      });
      expect(given.ok).toBe(true);
      const givenText = await diagnoseToken(await issuer.mint({ kid: "zz" }), [provider], {
        now: T,
        fetch: noFetch,
        jwks: JSON.stringify(issuer.jwks()),
      });
      expect(givenText.backendError?.message).toBe(kidMsg("zz"));
    });
  });
});
