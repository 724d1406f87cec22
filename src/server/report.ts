/**
 * The findings list `diagnoseToken` builds, one check at a time. A failure or a warning gets its check, the
 * party who must act and the fix from the {@link FINDINGS} table, so every code reads the same wherever it
 * is reported.
 *
 * @internal
 * @module
 */
import type { CustomJwtProvider } from "./custom-jwt-provider";
import type { Finding } from "./finding";
import { FINDINGS, type CheckName, type FindingCode } from "./findings";

export const isCustomJwt = (p: unknown): p is CustomJwtProvider =>
  typeof p === "object" && p !== null && (p as { type?: unknown }).type === "customJwt";

export class Report {
  findings: Finding[] = [];

  /** The check holds. */
  pass(check: CheckName, message: string) {
    this.findings.push({ check, status: "pass", code: "OK", message });
  }

  /** The backend rejects the token: `backendMessage` is its exact answer. */
  fail(code: FindingCode, message: string, backendMessage?: string) {
    this.#add("fail", code, message, backendMessage);
  }

  /** The backend accepts the token (or the config), but something will hurt. */
  warn(code: FindingCode, message: string, backendMessage?: string) {
    this.#add("warn", code, message, backendMessage);
  }

  /** The check could not run; `message` says which earlier failure stopped it. */
  skip(check: CheckName, message: string) {
    this.findings.push({ check, status: "skip", code: "SKIPPED", message });
  }

  #add(status: "fail" | "warn", code: FindingCode, message: string, backendMessage: string | undefined) {
    const { check, party, fix } = FINDINGS[code];
    this.findings.push({
      check,
      status,
      code,
      message,
      ...(backendMessage !== undefined ? { backendMessage } : {}),
      party,
      fix,
    });
  }
}
