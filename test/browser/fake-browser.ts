/**
 * In-memory stand-ins for the browser APIs the cross-tab coordinator uses (Web Locks, BroadcastChannel),
 * and a counting token issuer on a FakeClock, so that many "tabs" can live in one test.
 */
import type { FakeClock } from "../../src/testing/fake-clock";
import type { ChannelLike, CrossTabEnvironment } from "../../src/browser/cross-tab-channel";
import type { FetchContext } from "../../src/core/types";
import { unsignedJwt } from "../../src/testing/unsigned-jwt";

interface Request {
  mode: LockMode;
  callback: (lock: Lock | null) => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/**
 * A LockManager: exclusive and shared modes, FIFO per name, `signal` aborts a wait, `ifAvailable`, and
 * `query()` (what every tab of the origin holds and waits for).
 */
export class FakeLocks {
  /** The modes held, per name: one entry per granted request. */
  readonly #held = new Map<string, LockMode[]>();
  readonly #queues = new Map<string, Request[]>();
  /** How many requests were granted, per name. */
  readonly grants = new Map<string, number>();
  /** How many times `query()` was called. */
  queries = 0;

  request = (name: string, options: LockOptions, callback: (lock: Lock | null) => unknown): Promise<unknown> =>
    new Promise((resolve, reject) => {
      const { signal, ifAvailable, mode = "exclusive" } = options;
      if (signal?.aborted) return reject(signal.reason);
      const queue = this.#queues.get(name) ?? [];
      this.#queues.set(name, queue);
      const request: Request = { mode, callback, resolve, reject };
      if (ifAvailable && (queue.length || !this.#grantable(name, mode))) {
        return Promise.resolve(callback(null)).then(resolve, reject);
      }
      queue.push(request);
      signal?.addEventListener("abort", () => {
        const index = queue.indexOf(request);
        if (index >= 0) {
          queue.splice(index, 1);
          reject(signal.reason);
        }
      });
      this.#next(name);
    });

  query = async (): Promise<LockManagerSnapshot> => {
    this.queries++;
    const held: LockInfo[] = [];
    const pending: LockInfo[] = [];
    for (const [name, modes] of this.#held) for (const mode of modes) held.push({ name, mode });
    for (const [name, queue] of this.#queues) for (const { mode } of queue) pending.push({ name, mode });
    return { held, pending };
  };

  /** Whether someone holds `name`. */
  isHeld(name: string): boolean {
    return !!this.#held.get(name)?.length;
  }

  #grantable(name: string, mode: LockMode): boolean {
    const modes = this.#held.get(name) ?? [];
    return !modes.length || (mode === "shared" && modes.every((held) => held === "shared"));
  }

  #next(name: string): void {
    const queue = this.#queues.get(name)!;
    while (queue.length && this.#grantable(name, queue[0]!.mode)) {
      const { mode, callback, resolve, reject } = queue.shift()!;
      const modes = this.#held.get(name) ?? [];
      this.#held.set(name, modes);
      modes.push(mode);
      this.grants.set(name, (this.grants.get(name) ?? 0) + 1);
      let result: Promise<unknown>;
      try {
        result = Promise.resolve(callback({ name, mode } as Lock));
      } catch (error) {
        result = Promise.reject(error);
      }
      result.then(resolve, reject).finally(() => {
        modes.splice(modes.indexOf(mode), 1);
        if (!modes.length) this.#held.delete(name);
        this.#next(name);
      });
    }
  }
}

/** BroadcastChannels of one origin: a message reaches every other open channel of the same name. */
export class FakeChannels {
  readonly #open = new Map<string, Set<FakeChannel>>();
  /** Every message posted, by channel name. */
  readonly posted: Array<{ name: string; data: unknown }> = [];

  open = (name: string): FakeChannel => {
    const channel = new FakeChannel(name, this);
    const set = this.#open.get(name) ?? new Set();
    this.#open.set(name, set);
    set.add(channel);
    return channel;
  };

  /** Open channels, all names. */
  get openCount(): number {
    let count = 0;
    for (const set of this.#open.values()) count += set.size;
    return count;
  }

  deliver(from: FakeChannel, data: unknown): void {
    this.posted.push({ name: from.name, data });
    const copy = structuredClone(data);
    for (const to of this.#open.get(from.name) ?? []) {
      if (to !== from) queueMicrotask(() => to.receive(copy));
    }
  }

  close(channel: FakeChannel): void {
    this.#open.get(channel.name)?.delete(channel);
  }
}

export class FakeChannel implements ChannelLike {
  readonly #listeners: Array<(event: { data: unknown }) => void> = [];
  #closed = false;
  constructor(
    readonly name: string,
    readonly hub: FakeChannels,
  ) {}
  postMessage(data: unknown): void {
    if (this.#closed) throw new DOMException("closed", "InvalidStateError");
    this.hub.deliver(this, data);
  }
  addEventListener(_type: "message", listener: (event: { data: unknown }) => void): void {
    this.#listeners.push(listener);
  }
  close(): void {
    this.#closed = true;
    this.hub.close(this);
  }
  receive(data: unknown): void {
    if (!this.#closed) for (const listener of this.#listeners) listener({ data });
  }
}

/** One origin's Web Locks and BroadcastChannels. */
export function fakeOrigin(): { locks: FakeLocks; channels: FakeChannels; environment: CrossTabEnvironment } {
  const locks = new FakeLocks();
  const channels = new FakeChannels();
  return {
    locks,
    channels,
    environment: { locks: locks as unknown as CrossTabEnvironment["locks"], openChannel: channels.open },
  };
}

let serial = 0;

/** An unsigned JWT minted at `clock.now()` (or `iatSec`), living `lifetimeSec`. */
export function mintAt(
  clock: FakeClock,
  lifetimeSec: number,
  iatSec = Math.floor(clock.now() / 1000),
  sub = "user_1",
): string {
  return unsignedJwt({
    sub,
    iss: "https://issuer.test",
    aud: "convex",
    iat: iatSec,
    exp: iatSec + lifetimeSec,
    jti: `b${++serial}`,
  });
}

/** A token endpoint on the fake clock: counts calls, answers after `latencyMs`. */
export function countingIssuer(clock: FakeClock, { lifetimeSec = 900, latencyMs = 100, sub = "user_1" } = {}) {
  const calls: FetchContext[] = [];
  const issued: string[] = [];
  let mode: "token" | "hang" | "null" = "token";
  const fetchToken = async (context: FetchContext): Promise<string | null> => {
    calls.push(context);
    if (mode === "hang") return new Promise<never>(() => {}); // ignores its signal, never answers
    await clock.delay(latencyMs);
    if (mode === "null") return null;
    const token = mintAt(clock, lifetimeSec, undefined, sub);
    issued.push(token);
    return token;
  };
  return {
    fetchToken,
    calls,
    issued,
    set(next: typeof mode) {
      mode = next;
    },
  };
}
