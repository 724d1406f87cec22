/**
 * End to end, in real Chromium (Debian's, through playwright-core): the React example against the local
 * issuer and the local Convex deployment. Sign in and the identity is shown; a token rotation passes with
 * the identity steady (one fetch and one Authenticate); sign out and the identity is gone. Any console
 * error, page error or failed request fails the test.
 */
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { launchChromium } from "../../test/support/chromium";
import { startReactExample, type ReactExample } from "./dev";

/** Short tokens, so a rotation happens within seconds (the manager refreshes ~3 s before exp). */
const LIFETIME_SEC = 12;

let example: ReactExample;
let browser: Browser;
let page: Page;
const problems: string[] = [];

beforeAll(async () => {
  example = await startReactExample({ port: 0, lifetimeSec: LIFETIME_SEC, quiet: true });
  browser = await launchChromium();
  page = await browser.newPage();
  page.on("console", (message) => {
    if (message.type() === "error") problems.push(`console: ${message.text()}`);
  });
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  page.on("requestfailed", (request) =>
    problems.push(`request failed: ${request.url()} ${request.failure()?.errorText}`),
  );
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await example?.close();
});

const text = (testId: string) => page.getByTestId(testId).textContent();
const userAuthenticates = () => example.stack.deployment.authenticates.filter((a) => a.tokenType === "User");

it("signs in, rotates with the identity steady, and signs out, with no console error", async () => {
  await page.goto(example.url);
  await page.getByTestId("convex-auth").filter({ hasText: "signed out" }).waitFor();
  await page.getByTestId("identity").filter({ hasText: "anonymous" }).waitFor();

  // Sign in: the identity Convex sees (through the query) is the user's.
  await page.getByLabel("user").fill("alice");
  await page.getByRole("button", { name: "Sign in" }).click();
  await page
    .getByTestId("identity")
    .filter({ hasText: /^alice$/ })
    .waitFor();
  expect(await text("convex-auth")).toBe("authenticated");
  expect(await text("status")).toBe("valid");
  expect(await text("countdown")).toMatch(/^\d+ s$/);
  expect(userAuthenticates()).toHaveLength(1);

  // A rotation: watch the identity the whole time.
  const seen = new Set<string | null>();
  const deadline = Date.now() + 3 * LIFETIME_SEC * 1000;
  while ((await page.getByTestId("token").getAttribute("data-rotations")) === "0") {
    if (Date.now() > deadline) throw new Error("no token rotation within three lifetimes");
    seen.add(await text("identity"));
    await page.waitForTimeout(100);
  }
  await page.waitForTimeout(1_000); // let Convex confirm the rotated token
  seen.add(await text("identity"));
  expect([...seen]).toEqual(["alice"]);
  expect(await text("convex-auth")).toBe("authenticated");
  const users = userAuthenticates();
  expect(users.length).toBeGreaterThanOrEqual(2);
  expect(new Set(users.map((a) => a.token)).size).toBe(users.length); // each one a new token
  expect(example.minted()).toBe(users.length); // one fetch per Authenticate
  expect(users.every((a) => a.accepted && !a.expired)).toBe(true);
  expect(example.stack.deployment.authErrors).toEqual([]);

  // Sign out: the identity is gone, on the server too.
  await page.getByRole("button", { name: "Sign out" }).click();
  await page.getByTestId("identity").filter({ hasText: "anonymous" }).waitFor();
  expect(await text("convex-auth")).toBe("signed out");
  expect(await text("status")).toBe("signedOut");
  expect(example.stack.deployment.authenticates.at(-1)?.tokenType).toBe("None");
  expect(example.stack.deployment.currentIdentity()).toBeNull();

  expect(problems).toEqual([]);
}, 90_000);
