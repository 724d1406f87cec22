/**
 * End to end, in real Chromium (Debian's, through playwright-core): the Next.js example built with
 * `next build` and served by `next start`, against the local Convex deployment.
 *
 * - Signed out, the server's HTML is the signed-out view (no loading view); sign in against the dev token
 *   endpoint.
 * - Reload: the server's HTML already shows the signed-in user's data (preloaded with the request's token),
 *   the browser shows no signed-out or loading view at any point, hydration keeps the server's DOM, and the
 *   client starts with one `Authenticate` (the server's token) and no token fetch; the live subscription
 *   then takes over (a note added shows up).
 * - A rotation later costs one fetch and one `Authenticate`; sign-out reaches the server.
 * - No console error or warning, no page error, no failed request, in any step.
 *
 * Pain points guarded: a signed-out flash before the client authenticates, `preloadQuery` with a token then
 * `usePreloadedQuery` running unauthenticated (convex-js #98, #69), and Convex's two fetches at start.
 */
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { launchChromium } from "../../test/support/chromium";
import { type NextExample, startNextExample } from "./dev";

/** Short tokens, so a rotation comes within the test (the manager refreshes 4–6 s before exp). */
const LIFETIME_SEC = 20;

let example: NextExample;
let browser: Browser;
let page: Page;
const problems: string[] = [];
let tokenFetches = 0;

beforeAll(async () => {
  example = await startNextExample({ mode: "production", lifetimeSec: LIFETIME_SEC, quiet: true });
  console.log(`next build took ${(example.buildMs / 1000).toFixed(1)} s`);
  browser = await launchChromium();
  page = await browser.newPage();
  page.on("console", (message) => {
    if (message.type() === "error" || message.type() === "warning") problems.push(`console: ${message.text()}`);
  });
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  page.on("requestfailed", (request) =>
    problems.push(`request failed: ${request.url()} ${request.failure()?.errorText}`),
  );
  page.on("response", (response) => {
    if (response.status() >= 400) problems.push(`HTTP ${response.status()}: ${response.url()}`);
  });
  page.on("request", (request) => {
    if (new URL(request.url()).pathname === "/api/token") tokenFetches++;
  });
  // Every text the session and profile show, from the first parsed byte; and the server's nodes, marked.
  await page.addInitScript(() => {
    const seen: string[] = [];
    (window as unknown as { seen: string[] }).seen = seen;
    const record = () => {
      const session = document.querySelector<HTMLElement & { fromServer?: boolean }>("[data-testid=session]");
      const user = document.querySelector("[data-testid=user]");
      if (session === null || user === null) return; // the server's HTML is still being parsed
      if (document.readyState === "loading") session.fromServer = true;
      const state = `${session.textContent} / ${user.textContent}`;
      if (seen.at(-1) !== state) seen.push(state);
    };
    new MutationObserver(record).observe(document, { subtree: true, childList: true, characterData: true });
  });
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await example?.close();
});

const text = (testId: string) => page.getByTestId(testId).textContent();
const seen = () => page.evaluate(() => (window as unknown as { seen: string[] }).seen);
const userAuthenticates = () => example.deployment.authenticates.filter((a) => a.tokenType === "User");

it("signs in; a reload arrives signed in (server data, no loading view, no fetch); rotates; signs out", async () => {
  // Signed out: the server renders the signed-out view; the browser never shows loading, and fetches nothing.
  const first = await page.goto(example.url);
  const signedOutHtml = await first!.text();
  expect(signedOutHtml).toContain('data-testid="session">signed out<');
  await page.getByRole("button", { name: "Sign in" }).waitFor();
  expect(await seen()).toEqual(["signed out / anonymous"]);
  expect(tokenFetches).toBe(0);

  // Sign in against the dev token endpoint: one fetch, one Authenticate, the profile through the subscription.
  await page.getByLabel("user").fill("alice");
  await page.getByRole("button", { name: "Sign in" }).click();
  await page
    .getByTestId("user")
    .filter({ hasText: /^alice$/ })
    .waitFor();
  expect(await text("session")).toBe("signed in");
  expect(tokenFetches).toBe(1);
  expect(userAuthenticates()).toHaveLength(1);

  // Reload: the page arrives signed in.
  const authenticatesBefore = example.deployment.authenticates.length;
  const preloadsBefore = example.deployment.httpRequests.length;
  tokenFetches = 0;
  const response = await page.reload();
  const html = await response!.text();
  // The server's HTML shows the user's data, and is never stored in a shared cache.
  expect(html).toContain('data-testid="session">signed in<');
  expect(html).toContain('data-testid="user">alice<');
  expect(html).toContain("Written before this page was loaded.");
  expect(html).not.toMatch(/data-testid="session">(loading|signed out)</);
  expect(response!.headers()["cache-control"]).toMatch(/private/);
  expect(response!.headers()["cache-control"]).toMatch(/no-store/);
  // One token per request: the page's preload and the layout's handover carry the same one.
  const preloads = example.deployment.httpRequests.slice(preloadsBefore);
  expect(preloads.map((r) => [r.udfPath, r.status])).toEqual([["users:me", 200]]);
  const serverToken = preloads[0]!.token!;
  expect(html).toContain(serverToken);

  // The client takes over: its socket authenticates once, with the server's token, and fetches nothing.
  await page.getByTestId("status").filter({ hasText: "valid" }).waitFor();
  const added = `Added after hydration ${Date.now()}`;
  await page.getByLabel("note").fill(added);
  await page.getByRole("button", { name: "Add note" }).click();
  await page.getByTestId("notes").filter({ hasText: added }).waitFor();
  expect(tokenFetches).toBe(0);
  const afterReload = () => example.deployment.authenticates.slice(authenticatesBefore);
  expect(afterReload().map((a) => [a.tokenType, a.accepted, a.token === serverToken])).toEqual([["User", true, true]]);
  // Never a signed-out or loading view, and hydration kept the server's DOM (not rendered anew).
  expect(await seen()).toEqual(["signed in / alice"]);
  expect(
    await page.evaluate(
      () => (document.querySelector("[data-testid=session]") as { fromServer?: boolean })?.fromServer,
    ),
  ).toBe(true);

  // A rotation later: one fetch, one more Authenticate, the identity steady.
  const deadline = Date.now() + 3 * LIFETIME_SEC * 1000;
  while ((await page.getByTestId("token").getAttribute("data-rotations")) === "0") {
    if (Date.now() > deadline) throw new Error("no token rotation within three lifetimes");
    await page.waitForTimeout(100);
  }
  await page.waitForTimeout(1_000); // let Convex confirm the rotated token
  expect(tokenFetches).toBe(1);
  const users = afterReload().filter((a) => a.tokenType === "User");
  expect(users).toHaveLength(2);
  expect(users.every((a) => a.accepted && !a.expired)).toBe(true);
  expect(new Set(users.map((a) => a.token)).size).toBe(2);
  expect(await seen()).toEqual(["signed in / alice"]);

  // Sign out: the signed-out view, and the server forgets the user.
  await page.getByRole("button", { name: "Sign out" }).click();
  await page.getByTestId("user").filter({ hasText: "anonymous" }).waitFor();
  expect(await text("session")).toBe("signed out");
  expect(example.deployment.authenticates.at(-1)?.tokenType).toBe("None");
  expect(example.deployment.currentIdentity()).toBeNull();
  expect(example.deployment.authErrors).toEqual([]);

  expect(problems).toEqual([]);
}, 120_000);
