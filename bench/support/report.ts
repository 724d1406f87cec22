/** The shape every benchmark returns, and how it is printed. */
import { pathToFileURL } from "node:url";
import { resolve } from "node:path";

export interface Check {
  /** What is measured, e.g. "fetches in one hour". */
  label: string;
  /** The measured value, already formatted with its unit. */
  value: string;
  /** The budget as text, e.g. "≤ 5"; omitted for context lines (baselines, wall time). */
  budget?: string;
  /** Whether the value is within budget; undefined for context lines or when not measurable. */
  pass?: boolean;
}

export interface BenchResult {
  name: string;
  checks: Check[];
  /** Free-form lines printed under the checks (tables, caveats). */
  notes?: string[];
}

export function formatResult(result: BenchResult): string {
  const width = Math.max(...result.checks.map((c) => c.label.length));
  const lines = [`\n== ${result.name} ==`];
  for (const c of result.checks) {
    const verdict =
      c.budget === undefined ? "" : `  budget ${c.budget}  ${c.pass === undefined ? "N/A" : c.pass ? "PASS" : "OVER"}`;
    lines.push(`  ${c.label.padEnd(width)}  ${c.value}${verdict}`);
  }
  for (const note of result.notes ?? []) lines.push(`  ${note}`);
  return lines.join("\n");
}

/** Run `bench` and print its result when the file is executed directly (not imported by run.ts). */
export function runIfMain(moduleUrl: string, bench: () => Promise<BenchResult>): void {
  const entry = process.argv[1];
  if (entry === undefined || pathToFileURL(resolve(entry)).href !== moduleUrl) return;
  bench().then(
    (result) => console.log(formatResult(result)),
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}

export const fmt = (n: number, digits = 0): string =>
  n.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });

export const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};
