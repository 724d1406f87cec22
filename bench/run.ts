/**
 * Runs every benchmark in sequence and prints each result with its budget and PASS/OVER.
 * Always exits 0: benchmarks inform, CI does not gate on them. `npm run bench`.
 */
import { run as cachingIssuer } from "./caching-issuer";
import { run as concurrency } from "./concurrency";
import { run as crossTab } from "./cross-tab";
import { run as getToken } from "./get-token";
import { run as heap } from "./heap";
import { run as issuer } from "./issuer";
import { run as newTab } from "./new-tab";
import { run as simulatedHour } from "./simulated-hour";
import { run as size } from "./size";
import { run as thunderingHerd } from "./thundering-herd";
import { formatResult, type BenchResult } from "./support/report";

const benches: Array<[string, () => Promise<BenchResult>]> = [
  ["size", size],
  ["get-token", getToken],
  ["concurrency", concurrency],
  ["simulated-hour", simulatedHour],
  ["caching-issuer", cachingIssuer],
  ["thundering-herd", thunderingHerd],
  ["heap", heap],
  ["cross-tab", crossTab],
  ["new-tab", newTab],
  ["issuer", issuer],
];

async function main(): Promise<void> {
  console.log(`convex-custom-jwt benchmarks — node ${process.version}, ${new Date().toISOString()}`);
  const verdicts: string[] = [];
  for (const [name, bench] of benches) {
    try {
      const result = await bench();
      console.log(formatResult(result));
      for (const c of result.checks) {
        if (c.budget !== undefined)
          verdicts.push(
            `${c.pass === undefined ? "N/A " : c.pass ? "PASS" : "OVER"}  ${name}: ${c.label} = ${c.value} (budget ` +
              `${c.budget})`,
          );
      }
    } catch (error) {
      console.log(
        `\n== ${name} ==\n  FAILED: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
      );
      verdicts.push(`FAIL  ${name}: did not run`);
    }
  }
  console.log(`\n== summary ==\n${verdicts.map((v) => `  ${v}`).join("\n")}`);
}

main().finally(() => process.exit(0));
