#!/usr/bin/env node
// Part of `npm test`: the browser and React end-to-end tests drive real Chromium (Debian's package, through
// playwright-core; no browser download). On a fresh Debian machine where we are root, install it; elsewhere
// say how. CHROMIUM_PATH points at another binary.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";

const path = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
if (existsSync(path)) process.exit(0);

const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
const hasApt = existsSync("/usr/bin/apt-get");
if (!isRoot || !hasApt || process.env.CHROMIUM_PATH) {
  console.error(
    `No Chromium at ${path}. The browser tests need it: install Debian's package (sudo apt-get install chromium), ` +
      "or set CHROMIUM_PATH to a Chromium binary.",
  );
  process.exit(1);
}
console.log(`No Chromium at ${path}: installing Debian's chromium package (apt-get, about a minute).`);
const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
execFileSync("apt-get", ["update", "-qq"], { stdio: "inherit", env });
execFileSync("apt-get", ["install", "-y", "-qq", "--no-install-recommends", "chromium"], { stdio: "inherit", env });
if (!existsSync(path)) {
  console.error(`apt-get installed chromium, but ${path} is still missing: set CHROMIUM_PATH.`);
  process.exit(1);
}
