/**
 * A held token for the state rules' tests, on the time line (ms): issued at 1,000,000, refreshed at 1,800,000,
 * served until 1,890,000, expiring at 1,900,000.
 */
import type { Held } from "../../src/core/state";

export const held: Held = {
  raw: "a.b.c",
  exp: 2_000_000,
  issuedAt: 1_000_000,
  expiresAt: 1_900_000,
  refreshAt: 1_800_000,
  serveUntil: 1_890_000,
  sub: "u",
  iss: null,
};
