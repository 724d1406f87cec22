/**
 * The HTTP function API used by `ConvexHttpClient` (`POST /api/query` etc.).
 *
 * @internal
 * @module
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { AuthFailure } from "./auth-failure";
import { arrivedExpired, type Identity } from "./custom-jwt-validator";
import { canonicalUdfPath, errorData, runFunction } from "./functions";
import type { Deployment, FunctionDef, HttpRecord } from "./types";
import { encodeU64 } from "./u64";
// ---------------------------------------------------------------------------
// HTTP function API (ConvexHttpClient)
// ---------------------------------------------------------------------------

const HTTP_KINDS: Record<string, FunctionDef["type"] | "any"> = {
  "/api/query": "query",
  "/api/query_at_ts": "query",
  "/api/mutation": "mutation",
  "/api/action": "action",
  "/api/function": "any",
};
/** ConvexHttpClient's STATUS_CODE_UDF_FAILED. */
const UDF_FAILED = 560;

async function readBody(req: IncomingMessage): Promise<string> {
  let body = "";
  for await (const chunk of req) body += String(chunk);
  return body;
}

export function sendJson(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { "Content-Type": "application/json" });
  res.end(JSON.stringify(body));
}

/** `ExtractAuthenticationTokenextract_bearer_token`: the token, or an HTTP error. */
function bearerToken(
  header: string | undefined,
): { token?: string } | { status: number; code: string; message: string } {
  if (header === undefined) return {};
  if (header.length < 7) return { status: 400, code: "InvalidHeaderFailure", message: "Invalid authentication header" };
  if (header.slice(0, 7).toLowerCase() === "convex ") {
    return { status: 401, code: "BadAdminKey", message: "The provided admin key was invalid for this instance" };
  }
  if (header.length <= 7 || header.slice(0, 7).toLowerCase() !== "bearer ") {
    return { status: 400, code: "InvalidAdminKey", message: "Invalid admin key" };
  }
  return { token: header.slice(7).trim() };
}

export async function handleHttp(d: Deployment, httpRequests: HttpRecord[], req: IncomingMessage, res: ServerResponse) {
  const path = new URL(req.url ?? "/", "http://x").pathname;
  if (req.method === "POST" && path === "/api/query_ts") return sendJson(res, 200, { ts: encodeU64(d.latestTs) });
  const kind = HTTP_KINDS[path];
  if (req.method !== "POST" || !kind)
    return sendJson(res, 404, { code: "NotFound", message: `No route for ${req.method} ${path}` });

  let body: Record<string, any>;
  try {
    body = JSON.parse(await readBody(req));
  } catch {
    return sendJson(res, 400, { code: "BadJsonBody", message: "Failed to parse JSON body" });
  }
  const now = d.now();
  const udfPath = canonicalUdfPath(String(body.path ?? ""));
  const auth = bearerToken(req.headers.authorization);
  const token = "token" in auth ? auth.token : undefined;
  const record: HttpRecord = {
    at: now,
    path,
    udfPath,
    ...(token !== undefined ? { token } : {}),
    status: 200,
    expired: arrivedExpired(token, now),
  };
  httpRequests.push(record);
  const fail = (status: number, code: string, message: string) => {
    record.status = status;
    record.error = message;
    sendJson(res, status, { code, message });
  };
  if ("status" in auth) return fail(auth.status, auth.code, auth.message);

  let identity: Identity | null = null;
  if (token !== undefined) {
    try {
      // Validated per request with the 5 s leeway; HTTP has no mid-session expiry.
      identity = await d.validator.validate(token, now);
    } catch (err) {
      if (err instanceof AuthFailure) return fail(401, err.code, err.message);
      throw err;
    }
  }
  // `/api/function` sends the args object itself, the others a one-element array.
  const args = path === "/api/function" ? body.args : body.args?.[0];
  const result = await runFunction(d.functions, udfPath, kind, identity, args);
  if (!result.ok) {
    record.status = UDF_FAILED;
    record.error = result.message;
    return sendJson(res, UDF_FAILED, {
      status: "error",
      errorMessage: result.message,
      logLines: [],
      ...errorData(result),
    });
  }
  if (d.functions[udfPath]?.type === "mutation") d.dataChanged();
  sendJson(res, 200, { status: "success", value: result.value, logLines: [] });
}
