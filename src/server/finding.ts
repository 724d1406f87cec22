/**
 * `Finding`: what `diagnoseToken` reports for one check. The codes, parties and fixes are in the
 * `FINDINGS` table (`findings.ts`).
 *
 * @module
 */
import type { CheckName, FindingCode, FindingParty } from "./findings";

/**
 * `pass`: the check holds; `fail`: the backend rejects the token; `warn`: accepted, but something will hurt; `skip`:
 * could not run (an earlier failure).
 */
export type FindingStatus = "pass" | "fail" | "warn" | "skip";

/** One check's outcome. Never contains a whole token. */
export interface Finding {
  /** Which check this is. */
  check: CheckName;
  status: FindingStatus;
  /** Stable code; `"OK"` for a pass, `"SKIPPED"` for a skip. */
  code: FindingCode | "OK" | "SKIPPED";
  /** What was found, with the values involved (claims, kid, URL…). */
  message: string;
  /** The backend's exact error text for this failure, when it has one (what the Convex logs or the client show). */
  backendMessage?: string;
  /** Who must act (a failure or a warning only). */
  party?: FindingParty;
  /** What to do about it (a failure or a warning only). */
  fix?: string;
}
