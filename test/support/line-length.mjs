#!/usr/bin/env node
// Lines of code stay within 120 characters (Unicode code points, as an editor counts them). The formatter keeps
// code there but cannot break a long string or comment: this check catches those. Part of `npm run lint`.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";

const MAX = 120;
const files = execFileSync(
  "git",
  ["ls-files", "--cached", "--others", "--exclude-standard", "*.ts", "*.tsx", "*.mts", "*.mjs"],
  {
    encoding: "utf8",
  },
)
  .split("\n")
  .filter(Boolean);
const long = [];
for (const file of files) {
  let text;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    continue; // listed by git but deleted in the work tree
  }
  text.split("\n").forEach((line, index) => {
    const length = [...line].length;
    if (length > MAX) long.push(`${file}:${index + 1}: ${length} characters`);
  });
}
if (long.length > 0) {
  console.error(`Lines over ${MAX} characters (break the string or the comment):\n${long.join("\n")}`);
  process.exit(1);
}
