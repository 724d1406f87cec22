/**
 * The example's dev token endpoint, as a Vite plugin: a cookie session and a `/api/token` route that
 * mints a JWT for it with the local issuer. Your real app has its own (it already knows who is signed in).
 *
 * - `POST /api/sign-in` `{ "user": "alice" }` → sets the `session` cookie;
 * - `POST /api/sign-out` → clears it;
 * - `GET /api/token` → `{ "token": "<jwt>" }` for the session, `{ "token": null }` without one (200, so
 *   the browser logs no failed request).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Plugin } from "vite";
import type { TestIssuer } from "../../src/testing/test-issuer";

export function devAuth(issuer: TestIssuer): Plugin & { readonly minted: number } {
  const counter = { minted: 0 };
  return {
    name: "convex-custom-jwt:dev-auth",
    /** Tokens minted so far. */
    get minted() {
      return counter.minted;
    },
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        const path = new URL(req.url ?? "/", "http://x").pathname;
        if (!path.startsWith("/api/")) return next();
        handle(issuer, counter, path, req, res).catch((error: unknown) => send(res, 500, { error: String(error) }));
      });
    },
  };
}

async function handle(
  issuer: TestIssuer,
  counter: { minted: number },
  path: string,
  req: IncomingMessage,
  res: ServerResponse,
) {
  if (path === "/api/sign-in" && req.method === "POST") {
    const { user } = JSON.parse((await body(req)) || "{}") as { user?: unknown };
    if (typeof user !== "string" || !/^[\w.-]{1,64}$/.test(user))
      return send(res, 400, { error: "user: letters, digits, . _ -" });
    res.setHeader("Set-Cookie", `session=${user}; Path=/; HttpOnly; SameSite=Strict`);
    return send(res, 200, { user });
  }
  if (path === "/api/sign-out" && req.method === "POST") {
    res.setHeader("Set-Cookie", "session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
    return send(res, 200, {});
  }
  if (path === "/api/token" && (req.method === "GET" || req.method === "POST")) {
    const user = /(?:^|;\s*)session=([\w.-]+)/.exec(req.headers.cookie ?? "")?.[1];
    if (!user) return send(res, 200, { token: null });
    counter.minted++;
    return send(res, 200, { token: await issuer.mint({ sub: user }) });
  }
  send(res, 404, { error: "not found" });
}

async function body(req: IncomingMessage): Promise<string> {
  let text = "";
  for await (const chunk of req) text += String(chunk);
  return text;
}

function send(res: ServerResponse, status: number, json: unknown) {
  res.writeHead(status, { "content-type": "application/json", "cache-control": "no-store" });
  res.end(JSON.stringify(json));
}
