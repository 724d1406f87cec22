/**
 * Messages are the library's user interface (issue 13): each error, warning and log line says what happened
 * and what to do, names the option by its full path and the party who must act (the issuer, the token
 * endpoint, the app), and never shows a whole token or a URL's secrets. These pin the words a size pass once
 * cut (commit 677e315), so that cutting them again fails a test. On the one FakeClock.
 */
import { afterEach, describe, expect, it } from "vitest";
import { TokenManager, createTokenManager, httpTokenFetcher, type TokenManagerOptions } from "../../src/index";
import { createFakeClock } from "../../src/testing/fake-clock";
import { fakeIssuer } from "../support/manager-harness";
import { unsignedJwt } from "../../src/testing/unsigned-jwt";

const T0 = Date.UTC(2026, 0, 1, 12);
const S = 1_000;
const managers: TokenManager[] = [];
afterEach(() => {
  for (const manager of managers.splice(0)) manager.dispose();
});

function setup(options: Partial<TokenManagerOptions> & { ignoresForced?: boolean } = {}) {
  const clock = createFakeClock({ now: T0, random: () => 0.5 });
  const issuer = fakeIssuer(clock, T0, { remintBelowMs: 60 * S, ignoresForced: options.ignoresForced ?? false });
  const lines: string[] = [];
  const warnings: { code: string; message: string }[] = [];
  const manager = new TokenManager({
    clock,
    logger: { debug: (l) => lines.push(l), warn: (l) => lines.push(l), error: (l) => lines.push(l) },
    fetchToken: async ({ reason }) => issuer.token(reason),
    ...options,
  });
  manager.on("warning", (warning) => warnings.push(warning));
  managers.push(manager);
  return { clock, manager, lines, warnings };
}

describe("the words the size pass cut come back", () => {
  it('a missing iat: "make the issuer set it"', async () => {
    const token = unsignedJwt({ sub: "u", exp: T0 / 1000 + 900 });
    const { manager, warnings } = setup({ fetchToken: async () => token });
    await manager.getToken();
    expect(warnings).toEqual([
      { code: "WARN_TOKEN_MISSING_IAT", message: expect.stringContaining("make the issuer set it") },
    ]);
  });

  it("a forced refresh that gets the held token back names the token endpoint, and what to mint when", async () => {
    const { manager, warnings } = setup({ ignoresForced: true });
    const token = await manager.getToken();
    await manager.refresh();
    const [warning] = warnings;
    expect(warning?.code).toBe("WARN_TOKEN_NOT_RENEWED");
    expect(warning?.message).toMatch(/the token endpoint \(or the app's `fetchToken`\) serves a cached token/);
    expect(warning?.message).toMatch(/Make it mint a new token when `reason` is "forced"/);
    expect(warning?.message).not.toContain(token);
  });

  it("a throwing retry.shouldRetry is named by its option path, and what it means is said", async () => {
    const { manager, lines } = setup({
      fetchToken: async () => Promise.reject(new TypeError("down")),
      retry: {
        shouldRetry: () => {
          throw new Error("oops");
        },
      },
    });
    await manager.getToken().catch(() => {});
    const line = lines.find((l) => l.includes("threw"));
    expect(line).toMatch(/The app's `retry\.shouldRetry` threw: oops\. The failure counts as not retryable/);
  });

  it("the fetchToken TypeError gives the fetcher's whole contract: signal, reason, attempt", () => {
    expect(() => createTokenManager({} as TokenManagerOptions)).toThrow(
      "createTokenManager: `fetchToken` must be the app's token fetcher, a function ({ signal, reason, attempt }) " +
        "=> Promise<string | { token } | null>; got undefined.",
    );
  });
});

describe("options are named by their full path, with the value that was given", () => {
  const fetchToken = async () => null;
  it.each([
    [{ retry: { attempts: 1.5 } }, "createTokenManager: `retry.attempts` must be an integer from 1 to 100; got 1.5."],
    [
      { retry: { baseDelayMs: 5_000, maxDelayMs: 1_000 } },
      "createTokenManager: `retry.maxDelayMs` must be a number of milliseconds from 5000 (`retry.baseDelayMs`)",
    ],
    [{ applicationID: 42 }, "createTokenManager: `applicationID` must be a non-empty string"],
  ])("%j", (options, text) => {
    expect(() => createTokenManager({ fetchToken, ...(options as object) })).toThrow(text);
  });

  it("getToken({ minValidityMs })", async () => {
    const { manager } = setup();
    await expect(manager.getToken({ minValidityMs: -5 })).rejects.toThrow(
      "`getToken({ minValidityMs })` must be a number of milliseconds >= 0; got -5.",
    );
  });

  it("a value of the wrong type is shown as it was given, with what the option must be", () => {
    expect(() => createTokenManager({ fetchToken, clock: "x" as never })).toThrow(
      "createTokenManager: `clock` must be a Clock object (any of now, monotonicNow, setTimeout, clearTimeout, " +
        'random); got "x".',
    );
    expect(() => createTokenManager({ fetchToken, issuer: 7 as never })).toThrow(
      "createTokenManager: `issuer` must be a non-empty string, the provider's `issuer` in convex/auth.config.ts; " +
        "got 7.",
    );
  });
});

describe("who must act", () => {
  it("a caller asking more validity than the issuer gives is told which option, and both ways out", async () => {
    const { manager } = setup();
    await manager.getToken();
    await expect(manager.getToken({ minValidityMs: 3_600 * S })).rejects.toThrow(
      "less than the 3600 s asked with `getToken({ minValidityMs })`: ask for less, or make the issuer mint " +
        "longer-lived tokens.",
    );
  });

  it("the token endpoint answering 404 is not retried, and the message says why and what to check", async () => {
    const fetcher = httpTokenFetcher({
      url: "https://user:pass@auth.example/token?code=secret",
      fetch: async () => new Response("nope", { status: 404 }),
    });
    const error = await fetcher({ signal: new AbortController().signal, reason: "initial", attempt: 1 }).catch(
      (e: Error) => e,
    );
    expect((error as Error).message).toBe(
      "Token endpoint GET https://auth.example/token?… answered HTTP 404, which is not retried (only 408, 429 " +
        "and 5xx are). Check the URL, method and credentials the token endpoint expects; if this status means " +
        "that the user is signed out, add it to `signedOutStatuses`.",
    );
  });
});
