/**
 * A `Mutation` or `Action` message on the socket: run the function under the session's identity and build its
 * response (crates/sync/src/worker.rs `handle_mutation`/`handle_action`).
 *
 * @internal
 * @module
 */
import type { Identity } from "./custom-jwt-validator";
import { canonicalUdfPath, errorData, runFunction } from "./functions";
import type { ServerMessage } from "./query-set";
import type { Deployment } from "./types";
import { encodeU64 } from "./u64";

/** The response to send, and whether a mutation committed (then every socket's queries re-run). */
export interface RequestOutcome {
  response: ServerMessage;
  committed: boolean;
}

/** Run the `Mutation` or `Action` message `m` as `identity`. */
export async function runRequest(
  d: Deployment,
  identity: Identity | null,
  m: Record<string, any>,
): Promise<RequestOutcome> {
  const kind = m.type === "Mutation" ? "mutation" : "action";
  const result = await runFunction(d.functions, canonicalUdfPath(String(m.udfPath)), kind, identity, m.args?.[0]);
  const base = { requestId: m.requestId, logLines: [] };
  const failed = () => ({ ...base, success: false, result: result.ok ? null : result.message, ...errorData(result) });
  if (kind === "action") {
    const response = result.ok
      ? { type: "ActionResponse", ...base, success: true, result: result.value }
      : { type: "ActionResponse", ...failed() };
    return { response, committed: false };
  }
  if (!result.ok) return { response: { type: "MutationResponse", ...failed() }, committed: false };
  // MutationResponse carries the commit ts; the Transition that follows reaches it.
  const ts = encodeU64(d.nextTs());
  return { response: { type: "MutationResponse", ...base, success: true, result: result.value, ts }, committed: true };
}
