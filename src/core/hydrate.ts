/**
 * `hydrate`: start an idle manager from the token a server rendered the page with (`initialToken`,
 * `TokenManager.hydrate()`), never fetching. The machine's state still changes only through its own moves
 * (`end`, `serve`); this says which one a server's token calls for.
 *
 * @module
 */
import { TokenManagerDisposedError } from "./errors";
import type { StateMachine } from "./state-machine";

/**
 * Start `machine` from a server's token (`null`: no session, sign out), in `idle` only: served as a fetched
 * token is (`valid`, a `token` event with reason `"initial"`), or dropped with a warning (`idle` still). A
 * running or signed-out manager keeps its state.
 *
 * @throws TokenManagerDisposedError after `dispose()`.
 * @example
 * hydrate(machine, tokenFromTheServer); // TokenManager's constructor (initialToken) and hydrate()
 */
export function hydrate(machine: StateMachine, initialToken: string | null): void {
  const state = machine.state;
  switch (state.status) {
    case "disposed":
      throw new TokenManagerDisposedError();
    case "idle": {
      if (initialToken === null) {
        machine.end("signOut");
        return;
      }
      const now = machine.now();
      const { held, warnings } = machine.intake.takeInitial(initialToken, now);
      for (const [code, message] of warnings) machine.events.warn(code, message);
      // A warning listener may have started or signed out the manager meanwhile: its state stands then.
      if (held && machine.state.status === "idle") machine.serve("initial", { held, fresh: true, force: false }, now);
      return;
    }
    case "fetching":
    case "valid":
    case "retrying":
    case "signedOut":
      return; // it runs, or was signed out: a server's token (maybe stale) never undoes either
    default:
      state satisfies never;
  }
}
