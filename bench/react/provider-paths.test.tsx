/**
 * Two simulated hours of 15-minute tokens with the real ConvexReactClient (1.48.0) against the local
 * deployment, through each React path, in the same run:
 *   A. ConvexProviderWithAuth + convexTokenFetcher(manager)           (the baseline: the plain fetcher)
 *   B. ConvexProviderWithAuth + useConvexCustomJwt(manager)           (Convex's default leeway, 10 s)
 *   C. ConvexProviderWithAuth + useConvexCustomJwt, client leeway 100 s (above the manager's 60 + 30 s)
 *   D. ConvexProviderWithCustomJwt                                     (connectConvex underneath)
 * Counts token fetches and Authenticate messages after the session started, per 15-minute token lifetime
 * (8 in two hours: one rotation each). Parents re-render every 30 s (no path may re-authenticate for it).
 * Run: npm run bench:react   (prints a table; asserts only what every path must hold)
 */
import { ConvexProviderWithAuth } from "convex/react";
import { useMemo, useState } from "react";
import { afterAll, expect, it } from "vitest";
import { convexTokenFetcher } from "../../src/convex/index";
import type { TokenSource } from "../../src/index";
import { ConvexProviderWithCustomJwt, useConvexCustomJwt } from "../../src/react/index";
import { Identity, shown, world, type World } from "../../test/react/world";

const HOURS = 2;
const rows: Record<string, unknown>[] = [];

/** The minimal useAuth an app writes around the plain fetcher. */
function usePlainFetcher(manager: TokenSource) {
  const fetchAccessToken = useMemo(() => convexTokenFetcher(manager), [manager]);
  const { isLoading, isAuthenticated } = useConvexCustomJwt(manager); // only for the state (it starts the manager)
  return { isLoading, isAuthenticated, fetchAccessToken };
}

type Path = "A" | "B" | "C" | "D";
const NAMES: Record<Path, string> = {
  A: "ConvexProviderWithAuth + convexTokenFetcher",
  B: "ConvexProviderWithAuth + useConvexCustomJwt",
  C: "… + useConvexCustomJwt, client leeway 100 s",
  D: "ConvexProviderWithCustomJwt",
};

function Tree({ w, path }: { w: World; path: Path }) {
  const [n, setN] = useState(0);
  bump = () => setN((x) => x + 1);
  const child = (
    <>
      <span>{n}</span>
      <Identity />
    </>
  );
  if (path === "D")
    return (
      <ConvexProviderWithCustomJwt client={w.client} manager={w.source}>
        {child}
      </ConvexProviderWithCustomJwt>
    );
  const useAuth =
    path === "A"
      ? () => {
          const { isLoading, isAuthenticated, fetchAccessToken } = usePlainFetcher(w.source);
          return {
            isLoading,
            isAuthenticated,
            fetchAccessToken: fetchAccessToken as (a: { forceRefreshToken: boolean }) => Promise<string | null>,
          };
        }
      : () => useConvexCustomJwt(w.source, path === "C" ? { authRefreshTokenLeewaySeconds: 100 } : {});
  return (
    <ConvexProviderWithAuth client={w.client} useAuth={useAuth}>
      {child}
    </ConvexProviderWithAuth>
  );
}
let bump: () => void = () => {};

async function run(path: Path) {
  const w = await world(path === "C" ? { leewaySeconds: 100 } : {});
  try {
    const r = w.render(<Tree w={w} path={path} />);
    await w.clock.until(() => shown(r) === "user_1 authenticated");
    const start = w.fetches();
    let steady = true;
    for (let t = 0; t < HOURS * 3_600_000; t += 30_000) {
      bump();
      await w.clock.advance(30_000);
      steady &&= shown(r) === "user_1 authenticated";
    }
    const fetches = w.fetches();
    const authenticates = w.userAuthenticates();
    const lifetimes = (HOURS * 60) / 15;
    rows.push({
      path: `${path}. ${NAMES[path]}`,
      "fetches to start": start,
      "token fetches": fetches,
      "Authenticate (User)": authenticates,
      "fetches / rotation": ((fetches - start) / lifetimes).toFixed(2),
      "Authenticate / rotation": ((authenticates - 1) / lifetimes).toFixed(2),
      "Authenticate (None)": w.noneAuthenticates(),
      "expired sent": w.stack.deployment.expiredTokensSent(),
      "identity steady": steady,
    });
    expect(steady).toBe(true);
    expect(w.stack.deployment.expiredTokensSent()).toBe(0);
  } finally {
    await w.close();
  }
}

it("React provider paths: fetches and Authenticate per rotation over two simulated hours", async () => {
  for (const path of ["A", "B", "C", "D"] as const) await run(path);
  expect(rows).toHaveLength(4);
});

afterAll(() => {
  console.table(rows);
});
