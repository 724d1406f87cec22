/**
 * The README's troubleshooting table is keyed by the backend's exact strings: every message the backend
 * (and the local deployment) can answer for a customJwt token has a row, word for word, and every `doctor`
 * finding code has a row; no row cites a code that does not exist.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { BACKEND_MESSAGES, FIXES } from "../../src/server";

const README = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
const section = README.split("## Troubleshooting: the backend's error messages")[1]?.split(/\n## /)[0] ?? "";
const rows = section
  .split("\n")
  .filter((line) => line.startsWith("| ") && !line.startsWith("| backend message") && !line.startsWith("|---"))
  .map((line) => line.slice(2, -2).split(" | "));

describe("README troubleshooting table", () => {
  it("has one row per cause, with four columns", () => {
    expect(rows.length).toBeGreaterThanOrEqual(18);
    for (const row of rows) expect(row).toHaveLength(4);
  });

  it("quotes every backend message exactly (placeholders for the variable parts)", () => {
    const m = BACKEND_MESSAGES;
    const expected = [
      m.unparseable,
      m.missingIss,
      m.missingAud,
      m.badClaims,
      m.missingKid,
      m.badKid("<kid>"),
      m.expired,
      m.badAlgorithm,
      m.noProviders,
      m.noProvider("<providers>"),
      m.jwksHttp("<url>", "<status>" as never, "<reason>"),
      m.jwksNetwork("<url>", "<url>"),
      m.jwksContentType("<type>", "<url>"),
      m.jwksBody("<url>"),
      m.jwksDataUrl,
      m.invalidIssuer("<iss>", "<issuer>"),
      m.invalidAudience("<applicationID>", []).replace("[]", "[<aud>]"),
      m.expiredAgo("N" as never),
      m.validIn("N" as never),
    ];
    const firstColumn = rows.map((r) => r[0]!).join("\n");
    for (const message of expected) expect(firstColumn).toContain(`\`${message}\``);
  });

  it("names every doctor finding code, and only real ones", () => {
    const cited = new Set(rows.flatMap((r) => [...r[2]!.matchAll(/`([A-Z_]+)`/g)].map((x) => x[1]!)));
    expect([...cited].filter((code) => !(code in FIXES))).toEqual([]);
    expect(Object.keys(FIXES).filter((code) => !cited.has(code))).toEqual([]);
  });
});
