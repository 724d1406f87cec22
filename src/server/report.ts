/**
 * The findings list `diagnoseToken` builds, one check at a time.
 *
 * @internal
 * @module
 */
import type { CustomJwtProvider } from "./custom-jwt-provider";
import { FIXES, type CheckName, type Finding, type FindingCode } from "./findings";

export const isCustomJwt = (p: unknown): p is CustomJwtProvider =>
  typeof p === "object" && p !== null && (p as { type?: unknown }).type === "customJwt";

export class Report {
  findings: Finding[] = [];
  add(check: CheckName, status: Finding["status"], code: Finding["code"], message: string, backendMessage?: string) {
    const fix = code in FIXES ? FIXES[code as FindingCode] : undefined;
    this.findings.push({
      check,
      status,
      code,
      message,
      ...(backendMessage !== undefined ? { backendMessage } : {}),
      ...(fix !== undefined && status !== "pass" && status !== "skip" ? { fix } : {}),
    });
  }
  pass(check: CheckName, message: string) {
    this.add(check, "pass", "OK", message);
  }
  fail(check: CheckName, code: FindingCode, message: string, backendMessage: string) {
    this.add(check, "fail", code, message, backendMessage);
  }
  warn(check: CheckName, code: FindingCode, message: string, backendMessage?: string) {
    this.add(check, "warn", code, message, backendMessage);
  }
  skip(check: CheckName, message: string) {
    this.add(check, "skip", "SKIPPED", message);
  }
}
