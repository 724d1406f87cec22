/**
 * I/O activity registry shared by the local deployment, the token endpoint and the test issuer.
 *
 * Fake-time helpers (such as the project's own vitest helper) treat loopback I/O as settled when
 * `events` stops changing and `pending` is 0. It is a process-wide singleton keyed on `globalThis`, so
 * several copies of these modules (source and built) still share one registry. No test framework needed.
 *
 * @module
 */

/**
 * Counters of real asynchronous work done by the test support servers and the
 * issuer. `time.ts` treats loopback I/O as settled when `events` stops changing
 * and `pending` is 0. It is a process-wide singleton (keyed on globalThis) so
 * that several copies of these modules still share one registry.
 */
export interface IoActivity {
  /** Bumped whenever something happens (a request or message arrives, work starts or ends). */
  events: number;
  /** Work that has started and will finish by itself without fake time passing. */
  pending: number;
}

const IO_KEY = Symbol.for("convex-custom-jwt/test-support/io-activity");

/** The shared {@link IoActivity} registry. */
export function ioActivity(): IoActivity {
  const g = globalThis as { [IO_KEY]?: IoActivity };
  g[IO_KEY] ??= { events: 0, pending: 0 };
  return g[IO_KEY];
}

/** Mark that something happened (no completion to wait for). */
export function noteIo(): void {
  ioActivity().events++;
}

/** Count `work` as pending until it settles, so `pump()` waits for it. */
export async function trackIo<T>(work: Promise<T>): Promise<T> {
  const io = ioActivity();
  io.events++;
  io.pending++;
  try {
    return await work;
  } finally {
    io.pending--;
    io.events++;
  }
}
