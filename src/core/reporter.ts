/**
 * The manager's output: its events, log lines through the optional {@link Logger}, and warnings (logged and
 * emitted once per code). Every listener, hook and logger call is guarded: one that throws is logged as an
 * error and the rest still runs; a logger that throws is reported once to its error sink, then ignored.
 *
 * @module
 */
import { describe, type TokenWarningCode } from "./errors";
import type { TokenManagerEvents } from "./events";
import type { Logger } from "./types";

type Listener = (payload: unknown) => void;

/**
 * `on`/`once`/`off`/`emit` with every listener guarded on its own, plus `log`, `warn` and `guard`. `era` is
 * bumped on sign-out and dispose: a dispatch that began before skips its remaining listeners, so no `token`
 * event reaches anyone after a listener signed out.
 *
 * Written here rather than over eventemitter3: eventemitter3 with a guard per listener put the core at
 * 7,785 B min+gzip, over its 6.5 KiB budget, and it cannot stop a dispatch on sign-out. Lists are copied on
 * write, so a dispatch calls the listeners present when it began.
 */
export class Reporter {
  readonly #lists = new Map<string, { fn: Listener; once?: boolean }[]>();
  readonly #logger: Logger | undefined;
  readonly #warned = new Set<TokenWarningCode>();
  era = 0;

  /** Writes to `logger`; silent without one. */
  constructor(logger: Logger | undefined) {
    this.#logger = logger;
  }

  on(event: string, fn: Listener, once?: boolean): void {
    this.#lists.set(event, [...(this.#lists.get(event) ?? []), { fn, once }]);
  }

  off(event: string, fn: Listener): void {
    this.#lists.set(
      event,
      (this.#lists.get(event) ?? []).filter((entry) => entry.fn !== fn),
    );
  }

  emit<E extends keyof TokenManagerEvents>(event: E, payload: Parameters<TokenManagerEvents[E]>[0]): void {
    const era = this.era;
    for (const entry of this.#lists.get(event) ?? []) {
      if (era !== this.era) return;
      if (entry.once) this.off(event, entry.fn);
      this.guard(`a "${event}" listener`, () => entry.fn(payload));
    }
  }

  clear(): void {
    this.#lists.clear();
  }

  /** `fn()`, or `undefined` when it throws: then "`what` threw" is logged as an error. */
  guard<T>(what: string, fn: () => T): T | undefined {
    try {
      return fn();
    } catch (error) {
      this.log("error", `${what} threw: ${describe(error)}`);
    }
  }

  log(level: keyof Logger, message: string): void {
    try {
      const logger = this.#logger;
      logger?.[level]?.call(logger, `[convex-custom-jwt] ${message}`);
    } catch (error) {
      // Reported once to the error sink; a throwing error sink is ignored (no recursion).
      if (level !== "error") this.log("error", `a logger threw: ${describe(error)}`);
    }
  }

  /** Log and emit a warning: each code once per manager, but every change of the skew estimate. */
  warn(code: TokenWarningCode, message: string): void {
    if (code === "ERR_CLOCK_SKEW" || !this.#warned.has(code)) {
      this.#warned.add(code);
      this.log("warn", message);
      this.emit("warning", { code, message });
    }
  }
}
