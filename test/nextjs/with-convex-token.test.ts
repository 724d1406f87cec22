/**
 * `withConvexToken`: `convex/nextjs`'s options carry the token only when there is one, so a signed-out or
 * unknown request runs its query as an anonymous user (convex/nextjs would send `setAuth(null)` otherwise).
 */
import { expect, it } from "vitest";
import { withConvexToken } from "../../src/nextjs/index";

it("sets token for a string, leaves it out for null and undefined, and keeps the other options", () => {
  expect(withConvexToken("a.b.c")).toEqual({ token: "a.b.c" });
  expect(withConvexToken(null)).toEqual({});
  expect(withConvexToken(undefined, { url: "http://127.0.0.1:1", token: "stale" })).toEqual({
    url: "http://127.0.0.1:1",
  });
  expect(withConvexToken("a.b.c", { url: "http://127.0.0.1:1", skipConvexDeploymentUrlCheck: true })).toEqual({
    url: "http://127.0.0.1:1",
    skipConvexDeploymentUrlCheck: true,
    token: "a.b.c",
  });
});
