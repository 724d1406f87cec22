/** `global.gc`, or the same function obtained at run time when node was started without --expose-gc. */
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

export function getGc(): () => void {
  if (typeof globalThis.gc === "function") return globalThis.gc;
  setFlagsFromString("--expose-gc");
  return runInNewContext("gc") as () => void;
}

/** Heap in use after full collections. */
export function heapAfterGc(gc: () => void): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}
