/**
 * `runAnswer`: answer one call of Convex's, asking the answer policy again at every change of the manager
 * and once one of its `fetchTimeoutMs` has passed, until it answers; `answerAsk`: one ask of Convex's from
 * start to finish, with the client's record (what both fetchers, `/convex`'s and `/react`'s, run).
 *
 * @module
 */
import type { TokenSnapshot } from "../core/types";
import { type Answer, type ConvexAsk, chooseAnswer, type WaitFor } from "./answer-policy";
import type { ClientCall, ClientRecord } from "./client-record";
import type { TokenSource } from "./types";

/** The answer, and the times of the manager's token when it was chosen (for the token it hands). */
export interface AnswerGiven {
  readonly answer: string | null;
  readonly times: Pick<TokenSnapshot, "issuedAt" | "expiresAt">;
}

const NO_TIMES = { issuedAt: null, expiresAt: null };

/** One call to answer: what Convex asked, how, what the client holds, and its leeway. */
export interface AnswerCall extends ClientCall {
  readonly ask: ConvexAsk;
  /** The token the client holds (the fetcher's last answer Convex took). */
  readonly held: string | null;
  /** The client's `authRefreshTokenLeewaySeconds`, in ms. */
  readonly leewayMs: number;
}

/**
 * Answer `call` as {@link chooseAnswer} says, now or at a later change of the manager (its `subscribe()`),
 * or once `manager.fetchTimeoutMs` has passed since Convex asked. While it waits it asks the manager what
 * the policy says (once each: start or join a fetch, or force one); what the manager replies counts too (a
 * token it resolves, or a rejection: it gave up for now). Resolves `null` at once when the call is
 * superseded. Never rejects, never hangs on a manager that gave up, and leaves no listener or timer behind
 * once settled.
 *
 * @example
 * const { answer } = await runAnswer(manager, { ask, how: "start", held: null, leewayMs: 10_000, superseded });
 */
export function runAnswer(manager: TokenSource, call: AnswerCall): Promise<AnswerGiven> {
  return new Promise((resolve) => {
    const { superseded } = call;
    const asked = new Set<WaitFor>();
    let waited = false;
    let settled = false;
    let unsubscribe = () => {};
    const onChange = () => evaluate();
    /** Ask the policy; `reply` is what the manager's `getToken()` just settled with, if that is why. */
    function evaluate(reply: ManagerReply = {}): void {
      if (settled) return;
      // A superseded call: Convex drops its answer.
      const { verdict, times } = superseded.aborted ? DROPPED : consult(manager, call, waited, reply);
      if ("answer" in verdict) {
        settled = true;
        clearTimeout(timer);
        unsubscribe();
        superseded.removeEventListener("abort", onChange);
        resolve({ answer: verdict.answer, times });
      } else if (!asked.has(verdict.wait)) {
        asked.add(verdict.wait);
        askManager(manager, verdict.wait, evaluate);
      }
    }
    const timer = setTimeout(() => {
      waited = true;
      evaluate();
    }, manager.fetchTimeoutMs);
    superseded.addEventListener("abort", onChange);
    unsubscribe = manager.subscribe(onChange);
    evaluate();
  });
}

/** A verdict and the times of the manager's token it was made on. */
interface Consulted {
  readonly verdict: Answer;
  readonly times: AnswerGiven["times"];
}

const DROPPED: Consulted = { verdict: { answer: null }, times: NO_TIMES };

/** The policy's verdict on `call` now. A token source that throws is answered `null` (never throw into Convex). */
function consult(manager: TokenSource, call: AnswerCall, waited: boolean, reply: ManagerReply): Consulted {
  const { ask, how, held, leewayMs } = call;
  try {
    const snapshot = manager.getSnapshot();
    const token = reply.token ?? manager.peekToken();
    const view = { token, snapshot: reply.gaveUp ? { ...snapshot, exhausted: true } : snapshot };
    return {
      verdict: chooseAnswer({ ask, how, manager: view, held, now: Date.now(), leewayMs, waited }),
      times: snapshot,
    };
  } catch {
    return DROPPED;
  }
}

/** What the manager's `getToken()` settled with: the token it resolved, or a rejection (it gave up for now). */
interface ManagerReply {
  readonly token?: string | null;
  readonly gaveUp?: boolean;
}

/** Ask the manager for what the policy waits for, and hand its reply to `replied` (no rejection escapes). */
function askManager(manager: TokenSource, wait: WaitFor, replied: (reply: ManagerReply) => void): void {
  if (wait === "rotation") return; // the manager's own schedule brings it
  try {
    manager.getToken(wait === "forceRefresh" ? { forceRefresh: true } : undefined).then(
      (token) => replied({ token }),
      () => replied({ gaveUp: true }),
    );
  } catch {
    replied({ gaveUp: true }); // a token source whose getToken() throws at once
  }
}

/**
 * Answer one ask of Convex's for `client`: note the call in the client's record (how Convex asked), run the
 * answer policy until it answers ({@link runAnswer}), and record what the client now holds. Never rejects.
 *
 * @example
 * const fetcher = (ask: ConvexAsk) => answerAsk(manager, new ClientRecord(10_000), ask, 10_000);
 */
export async function answerAsk(
  manager: TokenSource,
  client: ClientRecord,
  ask: ConvexAsk,
  leewayMs: number,
): Promise<string | null> {
  const forced = ask.forceRefreshToken === true;
  const call = client.ask(forced, Date.now());
  const { answer, times } = await runAnswer(manager, {
    ...call,
    ask: { forceRefreshToken: forced },
    held: client.held,
    leewayMs,
  });
  client.answered(call, forced, answer, Date.now(), times);
  return answer;
}
