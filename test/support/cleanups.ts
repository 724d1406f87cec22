/**
 * Cleanups for integration tests with the real Convex client: registered with `push`, run in reverse order
 * after each test, one macrotask apart. convex's AuthenticationManager crashes ("reading 'onAuthChange'")
 * when a client is closed between a token fetch settling and its continuation (a convex bug, not ours).
 */
import { afterEach } from "vitest";

const realSetImmediate = globalThis.setImmediate; // captured before any test fakes it

/** Call once at the top of a test file; returns the list to push cleanups onto. */
export function useCleanups(): (() => unknown)[] {
  const cleanups: (() => unknown)[] = [];
  afterEach(async () => {
    while (cleanups.length) {
      await cleanups.pop()!();
      await new Promise((resolve) => realSetImmediate(resolve));
    }
  });
  return cleanups;
}
