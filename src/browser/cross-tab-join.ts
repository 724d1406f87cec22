/**
 * `crossTabJoin`: a tab that holds no token yet (a new tab) takes the token the other tabs of its key hold,
 * with no fetch.
 *
 * - Each tab whose manager holds a settled token (status `valid`) holds a shared Web Lock named after the
 *   key: its presence (given up while the page is frozen, between its `freeze` and `resume` events).
 *   Before its first fetch a tab asks `locks.query()` whether any tab is present: when none is (a tab alone,
 *   or tabs that all start together), it fetches at once, with no wait.
 * - Otherwise it posts a question on the channel and waits for an answer, at most `waitMs`. An answer is
 *   another tab's token, adopted with zero token fetches. When nobody answers in time (the others are frozen,
 *   or their token fell due meanwhile), the tab goes on to fetch, under the cross-tab lock as usual.
 * - A tab answers only while its manager holds a valid token that is not yet due for refresh, and one tab
 *   answers each question: the one that gets the question's own lock (`ifAvailable`); it keeps that lock a
 *   second, so the tabs that hear the question later stay quiet. No storm, whatever the number of tabs.
 * - The joining tab adopts an answer only if the token keeps enough validity (`joinFloorMs`), counted from
 *   the answering tab's own view of its expiry (skew-corrected) minus the time the answer took.
 *
 * @module
 */
import type { Clock } from "../core/clock";
import type { TokenSource } from "../core/token-source";
import type { CrossTabEnvironment } from "./cross-tab-channel";
import { browserGlobals } from "./signal-source";
import { joinFloorMs } from "./token-stamp";

/** How long the tab that answers a question keeps the question's lock, so that no other tab answers it. */
const ANSWER_HOLD_MS = 1_000;

/** Options of {@link crossTabJoin}. */
export interface CrossTabJoinOptions {
  /** The tabs' shared key. */
  key: string;
  environment: CrossTabEnvironment;
  /** Times the wait for an answer, and the answering tab's hold of the question's lock. */
  clock: Clock;
  /** Longest wait for an answer, in milliseconds. */
  waitMs: number;
  /** Post on the key's channel (the coordinator adds the key). */
  post(message: object): void;
}

/** An answer to one of this tab's questions, as read off the channel. */
export interface JoinAnswer {
  to: string;
  token: string;
  /** How long the token stayed valid, as the answering tab saw it when it answered. */
  validForMs: number;
}

/** The join protocol of one tab; {@link crossTabFetcher} drives it. */
export interface CrossTabJoin {
  /**
   * Follow `source`: hold this tab's presence (a shared lock) while its status is `valid`, until the
   * returned function is called.
   */
  enter(source: TokenSource): () => void;
  /**
   * Ask the other tabs for their token. Resolves the first answer that keeps enough validity and passes
   * `accept`, or undefined when no other tab is present or none answers within `waitMs`; rejects with the
   * signal's reason when `signal` aborts.
   */
  ask(signal: AbortSignal, accept: (token: string) => boolean): Promise<string | undefined>;
  /** An answer heard on the channel (ignored unless it answers a question of this tab's that is open). */
  hear(answer: JoinAnswer): void;
  /** Another tab asks: answer with `source`'s token if it can serve it and no other tab answers first. */
  answer(id: string, source: TokenSource): void;
}

/** A question's id: unique enough among the tabs of one browser profile. */
const newId = (): string => Date.now().toString(36) + Math.random().toString(36).slice(2, 10);

/** The token `source` can hand to a joining tab at `now`, with its remaining validity; undefined if none. */
function offerOf(source: TokenSource, now: number): Omit<JoinAnswer, "to"> | undefined {
  const { status, nextFetchAt, expiresAt } = source.getSnapshot();
  const token = source.peekToken();
  // Only a settled token before its refresh point: one mid-rotation or due is about to be replaced.
  if (status !== "valid" || token === null || nextFetchAt === null || expiresAt === null) return undefined;
  if (now >= nextFetchAt) return undefined;
  return { token, validForMs: expiresAt - now };
}

/**
 * Call `change(true)` on the page's `freeze` event and `change(false)` on `resume` (Page Lifecycle: a
 * frozen background tab runs no script), where a page exists. Returns the removal of both listeners.
 */
function followFreezing(change: (frozen: boolean) => void): () => void {
  const doc = browserGlobals().document;
  const freeze = () => change(true);
  const resume = () => change(false);
  doc?.addEventListener?.("freeze", freeze);
  doc?.addEventListener?.("resume", resume);
  return () => {
    doc?.removeEventListener?.("freeze", freeze);
    doc?.removeEventListener?.("resume", resume);
  };
}

/**
 * The join protocol for the tabs of `key` (see the module's description).
 *
 * @example
 * const join = crossTabJoin({ key, environment, clock, waitMs: 250, post });
 * const leave = join.enter(manager);
 * const token = await join.ask(signal, () => true); // undefined: fetch
 */
export function crossTabJoin({ key, environment, clock, waitMs, post }: CrossTabJoinOptions): CrossTabJoin {
  const { locks } = environment;
  const presence = `convex-custom-jwt present:${key}`;
  /** This tab's open questions, by id. */
  const asks = new Map<string, (answer: JoinAnswer) => void>();
  /** Releases of the question locks this tab holds after answering. */
  const holds = new Set<() => void>();

  /** Whether a tab of the key holds a token (never this one: it asks); true when that cannot be told. */
  const othersPresent = async (): Promise<boolean> => {
    if (typeof locks.query !== "function") return true;
    try {
      const { held = [] } = await locks.query();
      return held.some(({ name }) => name === presence);
    } catch {
      return true;
    }
  };

  return {
    enter(source) {
      /** Ends this tab's presence; undefined while it is not present. */
      let leave: (() => void) | undefined;
      /** Between the page's `freeze` and `resume` events: its script does not run, so it cannot answer. */
      let frozen = false;
      const update = () => {
        const present = !frozen && source.getSnapshot().status === "valid";
        if (present && !leave) {
          const left = new Promise<void>((resolve) => (leave = resolve));
          locks.request(presence, { mode: "shared" }, () => left).catch(() => {});
        } else if (!present && leave) {
          leave();
          leave = undefined;
        }
      };
      const unsubscribe = source.subscribe(update);
      const stopLifecycle = followFreezing((isFrozen) => {
        frozen = isFrozen;
        update();
      });
      update();
      return () => {
        unsubscribe();
        stopLifecycle();
        leave?.();
        leave = undefined;
        for (const release of holds) release();
      };
    },

    async ask(signal, accept) {
      if (!(await othersPresent())) return undefined;
      signal.throwIfAborted();
      const id = newId();
      const askedAt = clock.now();
      return new Promise((resolve, reject) => {
        const settle = (outcome: () => void) => {
          asks.delete(id);
          clock.clearTimeout(timer);
          signal.removeEventListener("abort", onAbort);
          outcome();
        };
        const onAbort = () => settle(() => reject(signal.reason));
        const timer = clock.setTimeout(() => settle(() => resolve(undefined)), waitMs);
        signal.addEventListener("abort", onAbort);
        asks.set(id, ({ token, validForMs }) => {
          const left = validForMs - (clock.now() - askedAt);
          if (left > joinFloorMs(token) && accept(token)) settle(() => resolve(token));
        });
        post({ ask: id });
      });
    },

    hear(answer) {
      asks.get(answer.to)?.(answer);
    },

    answer(id, source) {
      if (!offerOf(source, clock.now())) return;
      const reply = () => {
        const offer = offerOf(source, clock.now());
        if (offer) post({ to: id, ...offer });
      };
      locks
        .request(`convex-custom-jwt answer:${id}`, { ifAvailable: true }, (lock) => {
          if (!lock) return; // another tab answers this question
          reply();
          return new Promise<void>((release) => {
            const done = () => {
              clock.clearTimeout(timer);
              holds.delete(done);
              release();
            };
            const timer = clock.setTimeout(done, ANSWER_HOLD_MS);
            holds.add(done);
          });
        })
        // A lock manager without `ifAvailable` (or a broken one): answer anyway; answers are idempotent.
        .catch(reply);
    },
  };
}
