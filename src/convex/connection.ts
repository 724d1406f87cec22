/**
 * `Connection`: one client's connection to one token manager, with an explicit open/closed state.
 *
 * @module
 */
import type { TokenSource } from "./types";

/** A connection is `open` from `connectConvex` until it is closed, then `closed` for good. */
export type ConnectionState = "open" | "closed";

/** The manager's events a connection listens to. */
export type ManagerEvent = "token" | "signedOut";

/**
 * What every kind of connection shares: its state, the listeners it registered on the manager, and the one
 * way it closes. Each kind (socket, HTTP) opens itself in its constructor and says in `release` what it
 * undoes on the client.
 *
 * Closing twice does nothing more the second time, so a stale `disconnect()` (a React cleanup that runs
 * after the next effect) can never sign the client out again.
 */
export abstract class Connection<Client extends { clearAuth(): void } = { clearAuth(): void }> {
  #state: ConnectionState = "open";
  readonly #listeners: { event: ManagerEvent; listener: () => void }[] = [];

  constructor(
    /** The manager whose tokens this connection hands to the client. */
    readonly manager: TokenSource,
    /** The object `setAuth`/`clearAuth` are called on. */
    protected readonly client: Client,
  ) {}

  /** `open` until {@link close}. */
  get state(): ConnectionState {
    return this.#state;
  }

  /**
   * Close the connection: `replacedBy` is the manager of the connection replacing it on the same client,
   * none for `disconnect()`. The first close removes the listeners and releases the client; with a
   * different manager, the client's auth is cleared every time (a different user's token must not stay on
   * the client while the new manager fetches its own).
   */
  close(replacedBy?: TokenSource): void {
    if (this.#state === "open") {
      this.#state = "closed";
      for (const { event, listener } of this.#listeners.splice(0)) this.manager.off(event, listener);
      this.release(replacedBy);
    }
    if (replacedBy !== undefined && replacedBy !== this.manager) this.client.clearAuth();
  }

  /** Listen to the manager for as long as the connection is open. */
  protected listen(event: ManagerEvent, listener: () => void): void {
    this.manager.on(event, listener);
    this.#listeners.push({ event, listener });
  }

  /** Undo what this kind of connection did to the client (called once, by the first close). */
  protected abstract release(replacedBy: TokenSource | undefined): void;
}
