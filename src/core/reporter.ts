/**
 * The manager's output: its events (on eventemitter3), log lines through the optional {@link Logger}, and
 * warnings (logged and emitted once per code). Every listener, hook and logger call is guarded: one that
 * throws is logged as an error and the rest still runs; a logger that throws is reported once to its error
 * sink, then ignored.
 *
 * @module
 */
import { EventEmitter } from "eventemitter3";
import { describe } from "./errors";
import type { TokenManagerEvents } from "./events";
import type { Logger, TokenSnapshot } from "./types";
import type { TokenWarningCode } from "./warnings";

type EventName = keyof TokenManagerEvents;
/** What eventemitter3 calls: an invoker, with the app's listener as `this`. */
type Invoker = (this: (payload: unknown) => void, payload: unknown, event: EventName, era: number) => void;

/**
 * Events, `subscribe()` listeners, logs and warnings of one manager.
 *
 * Each app listener is registered on eventemitter3 through one of two guarded invokers of this manager (one
 * for `on`, one for `once`), with the app's function as eventemitter3's `context`: `off(event, fn)` finds it
 * without a wrapper map. `emit` hands the invoker the event's name and the era at the start of the dispatch;
 * `stopDispatch()` (sign-out, dispose) starts a new era, and the invoker then skips the listeners left, so
 * no `token` event reaches anyone after a listener signed out. A dispatch calls the listeners present when
 * it began (eventemitter3 iterates the list it started with).
 */
export class Reporter {
  readonly #emitter = new EventEmitter();
  readonly #logger: Logger | undefined;
  readonly #warned = new Set<TokenWarningCode>();
  /** `subscribe()` listeners: called after every change of the snapshot, before the `state` event. */
  readonly #subscribers = new Set<() => void>();
  readonly #each: Invoker;
  readonly #once: Invoker;
  #era = 0;

  /** Writes to `logger`; silent without one. */
  constructor(logger: Logger | undefined) {
    this.#logger = logger;
    const reporter = this;
    this.#each = function (payload, event, era) {
      if (era === reporter.#era) reporter.guard(`A "${event}" listener (\`on("${event}")\`)`, () => this(payload));
    };
    // Removes its own registration only (eventemitter3's `once` would remove every `once` sharing the invoker).
    this.#once = function (payload, event, era) {
      if (era === reporter.#era) reporter.#emitter.off(event, reporter.#once, this);
      reporter.#each.call(this, payload, event, era);
    };
  }

  on<E extends EventName>(event: E, listener: TokenManagerEvents[E], once?: boolean): void {
    this.#emitter.on(event, once ? this.#once : this.#each, listener);
  }

  off<E extends EventName>(event: E, listener: TokenManagerEvents[E]): void {
    this.#emitter.off(event, this.#each, listener);
    this.#emitter.off(event, this.#once, listener);
  }

  emit<E extends EventName>(event: E, payload: Parameters<TokenManagerEvents[E]>[0]): void {
    this.#emitter.emit(event, payload, event, this.#era);
  }

  /** Call `listener` after every change of the snapshot; returns the unsubscribe function. */
  subscribe(listener: () => void): () => void {
    this.#subscribers.add(listener);
    return () => {
      this.#subscribers.delete(listener);
    };
  }

  /** A new snapshot: tell the `subscribe()` listeners (each guarded), then emit `state`. */
  publish(snapshot: TokenSnapshot): void {
    for (const listener of [...this.#subscribers]) this.guard("A `subscribe()` listener", listener);
    this.emit("state", snapshot);
  }

  /** Stop every dispatch under way (sign-out, dispose): the listeners it has not called yet are skipped. */
  stopDispatch(): void {
    this.#era++;
  }

  /** Drop every listener and subscriber (dispose). */
  clear(): void {
    this.#emitter.removeAllListeners();
    this.#subscribers.clear();
  }

  /**
   * `fn()`, the app's code named by `what`, or `undefined` when it throws: then "`what` threw", and `then` (what
   * it means, what to fix), are logged as an error, and the manager carries on.
   */
  guard<T>(
    what: string,
    fn: () => T,
    then = "The other listeners still ran and the manager carried on: fix the app's listener so it does not throw.",
  ): T | undefined {
    try {
      return fn();
    } catch (error) {
      this.log("error", `${what} threw: ${describe(error)}. ${then}`);
    }
  }

  log(level: keyof Logger, message: string): void {
    try {
      const logger = this.#logger;
      logger?.[level]?.call(logger, `[convex-custom-jwt] ${message}`);
    } catch (error) {
      // Reported to the error sink; a throwing error sink is ignored (no recursion).
      if (level !== "error")
        this.log(
          "error",
          `The app's \`logger.${level}\` threw: ${describe(error)}. The line it was given is lost and the manager ` +
            "carried on: fix the logger so it does not throw.",
        );
    }
  }

  /** Log and emit a warning: each code once per manager, but every change of the skew estimate. */
  warn(code: TokenWarningCode, message: string): void {
    if (code === "WARN_CLOCK_SKEW" || !this.#warned.has(code)) {
      this.#warned.add(code);
      this.log("warn", message);
      this.emit("warning", { code, message });
    }
  }
}
