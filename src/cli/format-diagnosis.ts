/**
 * `doctor`'s text output: the token (by its `tokenHint` only, the last 6 characters), one line per check with
 * its code, the backend's words and the fix, then the verdict.
 *
 * @internal
 * @module
 */
import { tokenHint } from "../core/errors";
import { parseHeader, parsePayload } from "../server/backend-rules";
import type { Diagnosis } from "../server/diagnose-token";

const MARK = { pass: "PASS", fail: "FAIL", warn: "WARN", skip: "SKIP" } as const;

/** The diagnosis of `token` as `doctor` prints it. Never contains the token, or its signature. */
export function formatDiagnosis(token: string, d: Diagnosis): string {
  const header = parseHeader(token) ?? {};
  const claims = parsePayload(token) ?? {};
  const lines = [
    `Token ${tokenHint(token)}: kid ${JSON.stringify(header.kid ?? null)}, alg ` +
      `${JSON.stringify(header.alg ?? null)}; ` +
      `iss ${JSON.stringify(claims.iss ?? null)}, sub ${JSON.stringify(claims.sub ?? null)}, aud ` +
      `${JSON.stringify(claims.aud ?? null)}`,
    "",
  ];
  for (const f of d.findings) {
    const code = f.status === "pass" || f.status === "skip" ? "" : `${f.code}  `;
    lines.push(`${MARK[f.status]}  ${f.check.padEnd(9)}  ${code}${f.message}`);
    if (f.backendMessage !== undefined && f.status !== "pass") lines.push(`      backend says: ${f.backendMessage}`);
    if (f.fix) lines.push(`      fix: ${f.fix}`);
  }
  lines.push("");
  if (d.ok) {
    const warned = d.findings.some((f) => f.status === "warn");
    lines.push(`OK: the backend accepts this token${warned ? " (see the warnings: each fix says who must act)" : ""}.`);
  } else {
    lines.push(
      `FAILED: the backend rejects this token with ${d.backendError?.code ?? "an error"}: ` +
        `${d.backendError?.message ?? "see above"}`,
      "Apply the fixes of the FAIL lines above (each names who must act), then run doctor again with a new token.",
    );
  }
  return `${lines.join("\n")}\n`;
}
