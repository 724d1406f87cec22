/**
 * The Chromium tests' origin: a Node http server on 127.0.0.1 (port 0) that serves the page (bundled
 * with esbuild on start) and a counting token endpoint minting short-lived unsigned JWTs (`?delay=` ms of
 * latency, like a real issuer's round trip).
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { unsignedJwt } from "../../../src/testing/unsigned-jwt";

export interface Fetch {
  key: string;
  /** Epoch ms the request arrived. */
  at: number;
  /** The token sent, once answered. */
  token?: string;
}

export interface TestOrigin {
  url: string;
  /** Every token request, in arrival order. */
  fetches: Fetch[];
  /** While true, token requests are held unanswered (a slow issuer; a page closed mid-fetch). */
  hold: boolean;
  /** Answer the held requests. */
  release(): void;
  close(): Promise<void>;
}

let serial = 0;

export async function startOrigin(): Promise<TestOrigin> {
  const bundle = await build({
    entryPoints: [fileURLToPath(new URL("./page.ts", import.meta.url))],
    bundle: true,
    write: false,
    format: "iife",
    platform: "browser",
    target: "es2022",
  });
  const script = bundle.outputFiles[0]!.text;
  const html = `<!doctype html><meta charset="utf-8"><title>convex-custom-jwt</title><script src="/page.js"></script>`;
  const held: Array<() => void> = [];

  const answer = (fetch: Fetch, life: number, res: ServerResponse) => {
    if (res.destroyed) return;
    const iat = Math.floor(Date.now() / 1000);
    fetch.token = unsignedJwt({
      sub: `user-of-${fetch.key}`,
      iss: "https://issuer.test",
      aud: "convex",
      iat,
      exp: iat + life,
      jti: `c${++serial}`,
    });
    res.writeHead(200, { "content-type": "application/json", "cache-control": "no-store" });
    res.end(JSON.stringify({ token: fetch.token }));
  };

  const origin: TestOrigin = {
    url: "",
    fetches: [],
    hold: false,
    release() {
      for (const go of held.splice(0)) go();
    },
    close: () =>
      new Promise((resolve) => {
        origin.release();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    if (url.pathname === "/") {
      res.writeHead(200, { "content-type": "text/html" });
      res.end(html);
    } else if (url.pathname === "/page.js") {
      res.writeHead(200, { "content-type": "text/javascript" });
      res.end(script);
    } else if (url.pathname === "/token") {
      const fetch: Fetch = { key: url.searchParams.get("key") ?? "", at: Date.now() };
      origin.fetches.push(fetch);
      const life = Number(url.searchParams.get("life") ?? 8);
      const delay = Number(url.searchParams.get("delay") ?? 0);
      const go = () => answer(fetch, life, res);
      if (origin.hold) held.push(go);
      else if (delay > 0) setTimeout(go, delay);
      else go();
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  return origin;
}
