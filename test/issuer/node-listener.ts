/**
 * A Fetch handler behind Node's `http` (and Express, whose req/res are Node's). The README's "Node's http and
 * Express" sample is this function, verbatim (checked by node-server.test.ts).
 */
import type { IncomingMessage, ServerResponse } from "node:http";

// Run a Fetch-API handler (Request → Response) on Node's http server or Express.
export function toNodeListener(handler: (request: Request) => Response | Promise<Response>) {
  return async (req: IncomingMessage, res: ServerResponse) => {
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) {
      if (typeof value === "string") headers.set(name, value);
      else if (Array.isArray(value)) for (const v of value) headers.append(name, v);
    }
    const chunks: Uint8Array[] = [];
    for await (const chunk of req) chunks.push(chunk as Uint8Array);
    const hasBody = req.method !== "GET" && req.method !== "HEAD";
    const request = new Request(new URL(req.url ?? "/", `http://${req.headers.host ?? "localhost"}`), {
      method: req.method,
      headers,
      ...(hasBody ? { body: Buffer.concat(chunks) } : {}),
    });
    const response = await handler(request);
    const outgoing: Record<string, string | string[]> = {};
    response.headers.forEach((value, name) => {
      outgoing[name] = name === "set-cookie" ? response.headers.getSetCookie() : value;
    });
    res.writeHead(response.status, outgoing);
    res.end(Buffer.from(await response.arrayBuffer()));
  };
}
