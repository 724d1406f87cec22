#!/usr/bin/env node
/**
 * The `convex-custom-jwt` command. Subcommands: `doctor`.
 *
 * @module
 */
import { run } from "./run";

void run(process.argv.slice(2)).then((status) => {
  process.exitCode = status;
});
