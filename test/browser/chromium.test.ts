/**
 * Real Chromium (Debian's package via playwright-core): pages of one origin, served with a counting token
 * endpoint by a local Node server, share one manager key. Headless pages share Web Locks and
 * BroadcastChannels within a browser context, release their locks when closed, and `setOffline` is real.
 * Guards peer-token-managers.md pain points 1–3 and 6: tabs racing with rotating refresh tokens
 * (supabase/auth-js#213, authts/oidc-client-ts#430), one fetch per tab per rotation, and every new tab
 * calling the token endpoint (authts/react-oidc-context#1472), and a network blip turning into a storm or a
 * sign-out.
 */
import { afterAll, beforeAll, beforeEach, afterEach, describe, expect, it } from "vitest";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { jwtDecode } from "jwt-decode";
import { launchChromium } from "../support/chromium";
import { startOrigin, type TestOrigin } from "./chromium/server";

interface Harness {
  manager: { signOut(): void; refresh(): Promise<string | null> };
  state: { calls: number; offlineCalls: number; firstTokenMs: number | null };
  token(): string | null;
  status(): string;
}
declare const harness: Harness;

let browser: Browser;
let origin: TestOrigin;
let context: BrowserContext;

beforeAll(async () => {
  [browser, origin] = await Promise.all([launchChromium(), startOrigin()]);
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await origin?.close();
});
beforeEach(async () => {
  origin.fetches.length = 0;
  origin.hold = false;
  context = await browser.newContext();
});
afterEach(async () => {
  await context?.close();
});

const WAIT = { timeout: 30_000, interval: 100 };

async function openPages(count: number, query: string): Promise<Page[]> {
  const pages: Page[] = [];
  for (let i = 0; i < count; i++) {
    const page = await context.newPage();
    await page.goto(`${origin.url}?${query}`);
    pages.push(page);
  }
  await expect.poll(() => tokens(pages).then((held) => held.every(Boolean)), WAIT).toBe(true);
  return pages;
}

const tokens = (pages: Page[]) => Promise.all(pages.map((page) => page.evaluate(() => harness.token())));
const fetchesOf = (key: string) => origin.fetches.filter((fetch) => fetch.key === key);

/** Wait until every page holds the latest token issued for `key`. */
async function converged(pages: Page[], key: string): Promise<string> {
  let latest: string | undefined;
  await expect
    .poll(async () => {
      latest = fetchesOf(key).at(-1)?.token;
      return (await tokens(pages)).every((token) => token === latest);
    }, WAIT)
    .toBe(true);
  return latest!;
}

describe("cross-tab in real Chromium", () => {
  it("five pages sharing a key: one token fetch per rotation, and all five hold the same token", async () => {
    const pages = await openPages(5, "key=app&life=6");
    await converged(pages, "app");
    const before = fetchesOf("app").length;
    // Two rotations (6 s tokens are refreshed 1.2–1.8 s before exp).
    await expect.poll(() => fetchesOf("app").length, WAIT).toBeGreaterThanOrEqual(before + 2);
    const latest = await converged(pages, "app");
    const rotations = fetchesOf("app").slice(before - 1);
    expect(rotations.at(-1)!.token).toBe(latest);
    // One fetch per rotation: consecutive fetches are a token lifetime apart, not milliseconds.
    for (let i = 1; i < rotations.length; i++) expect(rotations[i]!.at - rotations[i - 1]!.at).toBeGreaterThan(3_000);
  }, 90_000);

  it("the page holding the lock is closed mid-fetch, and another page completes the rotation", async () => {
    // A lock wait longer than the test's patience: only the lock's release can let page B through.
    const [a, b, c] = await openPages(3, "key=app&life=60&lockWait=60000");
    // Tokens are ordered by `iat` (seconds): let the clock enter the next second, so the rotation's token
    // is newer than the ones the pages hold.
    const lastIat = Math.floor(fetchesOf("app").at(-1)!.at / 1000);
    await expect.poll(() => Math.floor(Date.now() / 1000), WAIT).toBeGreaterThan(lastIat);
    origin.hold = true;
    const before = fetchesOf("app").length;
    void a!.evaluate(() => void harness.manager.refresh().catch(() => {}));
    await expect.poll(() => fetchesOf("app").length, WAIT).toBe(before + 1); // A holds the lock, fetching
    void b!.evaluate(() => void harness.manager.refresh().catch(() => {}));
    await expect
      .poll(() => b!.evaluate(async () => ((await navigator.locks.query()).pending ?? []).length), WAIT)
      .toBe(1); // B waits for A's lock
    origin.hold = false;
    await a!.close();
    await expect.poll(() => fetchesOf("app").length, { timeout: 15_000, interval: 100 }).toBe(before + 2);
    const latest = await converged([b!, c!], "app");
    expect(latest).toBe(fetchesOf("app").at(-1)!.token);
  }, 90_000);

  it("sign-out in one page reaches all of them", async () => {
    const pages = await openPages(4, "key=app&life=60");
    await pages[0]!.evaluate(() => harness.manager.signOut());
    await expect
      .poll(() => Promise.all(pages.map((page) => page.evaluate(() => harness.status()))), WAIT)
      .toEqual(["signedOut", "signedOut", "signedOut", "signedOut"]);
    expect(await tokens(pages)).toEqual([null, null, null, null]);
  }, 90_000);

  it("offline, then online: no fetcher call while offline, and one refresh soon after going online", async () => {
    const pages = await openPages(3, "key=app&life=6");
    await converged(pages, "app");
    await context.setOffline(true);
    const before = fetchesOf("app").length;
    // The tokens expire while offline (and their refresh points pass).
    await expect.poll(() => tokens(pages).then((held) => held.every((token) => token === null)), WAIT).toBe(true);
    const offlineCalls = await Promise.all(pages.map((page) => page.evaluate(() => harness.state.offlineCalls)));
    expect(offlineCalls).toEqual([0, 0, 0]);
    expect(fetchesOf("app").length).toBe(before);

    const onlineAt = Date.now();
    await context.setOffline(false);
    const latest = await converged(pages, "app");
    const after = fetchesOf("app").slice(before);
    expect(after.map((fetch) => fetch.token)).toEqual([latest]); // one fetch for the three pages
    expect(after[0]!.at - onlineAt).toBeLessThan(3_000);
  }, 90_000);

  it("two keys on one origin never share tokens", async () => {
    const one = await openPages(2, "key=one&life=6");
    const two = await openPages(2, "key=two&life=6");
    const subjects = async (pages: Page[]) =>
      (await tokens(pages)).map((token) => (token ? jwtDecode(token).sub : null));
    const start = { one: fetchesOf("one").length, two: fetchesOf("two").length };
    for (let i = 0; i < 10; i++) {
      expect(await subjects(one)).not.toContain("user-of-two");
      expect(await subjects(two)).not.toContain("user-of-one");
      await one[0]!.waitForTimeout(500);
    }
    // Both keys rotated on their own, and each key's pages converge on their own key's token.
    expect(fetchesOf("one").length).toBeGreaterThan(start.one);
    expect(fetchesOf("two").length).toBeGreaterThan(start.two);
    await converged(one, "one");
    await converged(two, "two");
  }, 90_000);

  it("four pages hold a token; a fifth opens and makes 0 token calls, and the four keep their token", async () => {
    const four = await openPages(4, "key=app&life=60");
    const held = await converged(four, "app");
    expect(fetchesOf("app")).toHaveLength(1); // the pages after the first joined too
    const [fifth] = await openPages(1, "key=app&life=60");
    expect(await fifth!.evaluate(() => harness.token())).toBe(held);
    expect(await fifth!.evaluate(() => harness.state.calls)).toBe(0); // its fetcher was never called
    expect(fetchesOf("app")).toHaveLength(1);
    expect(await tokens(four)).toEqual([held, held, held, held]); // nobody rotated for the newcomer
  }, 90_000);

  it("a lone page does not wait for an answer: with a 60 s wait it still has its token at once", async () => {
    const [page] = await openPages(1, "key=solo&life=60&joinWait=60000");
    expect(await page!.evaluate(() => harness.state.calls)).toBe(1);
    expect(fetchesOf("solo")).toHaveLength(1);
  }, 90_000);

  it("pages present that never answer cost the bounded wait, then the new page fetches once", async () => {
    // Four pages hold the key's presence lock but never answer (their managers are not started), as a tab
    // whose script is stuck would.
    const silent = [];
    for (let i = 0; i < 4; i++) {
      const page = await context.newPage();
      await page.goto(`${origin.url}?key=app&life=60&start=0`);
      await page.evaluate(() => {
        void navigator.locks.request("convex-custom-jwt present:app", { mode: "shared" }, () => new Promise(() => {}));
      });
      silent.push(page);
    }
    const [fifth] = await openPages(1, "key=app&life=60&joinWait=2000");
    expect(await fifth!.evaluate(() => harness.state.calls)).toBe(1);
    expect(fetchesOf("app")).toHaveLength(1);
    // It asked, nobody answered, and it fetched once the wait was over (a lower bound, never flaky).
    expect(await fifth!.evaluate(() => harness.state.firstTokenMs)).toBeGreaterThanOrEqual(2_000);
  }, 90_000);
});
