/**
 * `SocketConnection`: a socket client (`BaseConvexClient`, `ConvexReactClient`) kept authenticated by
 * `setAuth(fetcher)`, with each rotation of the manager pushed to it.
 *
 * @module
 */
import { Connection } from "./connection";
import type { ConvexTokenFetcher } from "./convex-token-fetcher";
import type { SocketAuthClient, TokenSource } from "./types";

/** Never a token: what a disconnected client is left with, so no refetch Convex scheduled signs it back in. */
const signedOutFetcher = async (): Promise<null> => null;

/**
 * A socket client's connection. Opening it calls `setAuth` at once (one fetch and one `Authenticate` to
 * start); each new token of the manager is pushed with `setAuth` again (one fetch and one `Authenticate`
 * per rotation, on the manager's schedule rather than Convex's); the manager's sign-out sends `Authenticate`
 * with no token at once.
 */
export class SocketConnection extends Connection<SocketAuthClient> {
  readonly #fetcher: ConvexTokenFetcher;
  readonly #onChange: (isAuthenticated: boolean) => void;

  constructor(
    client: SocketAuthClient,
    manager: TokenSource,
    fetcher: ConvexTokenFetcher,
    onChange: (isAuthenticated: boolean) => void,
  ) {
    super(manager, client);
    this.#fetcher = fetcher;
    this.#onChange = onChange;
    // setAuth first: on a client the app closed it throws, and the failed connection leaves no listener.
    this.#authenticate();
    this.listen("token", () => this.#pushRotation());
    this.listen("signedOut", () => this.#signOut());
  }

  /** Hand Convex the fetcher: it asks at once (`forceRefreshToken: false`, then `true`). */
  #authenticate(): void {
    this.client.setAuth(this.#fetcher, this.#onChange, this.#fetcher.onRefreshChange);
  }

  /** Push the manager's new token, unless Convex is already waiting on the fetcher (it will be handed it). */
  #pushRotation(): void {
    if (!this.#fetcher.busy && this.manager.peekToken() !== this.#fetcher.held) this.#authenticate();
  }

  #signOut(): void {
    this.client.clearAuth(); // sends Authenticate with no token at once
    this.#authenticate(); // replaces Convex's scheduled refetch with one that finds the manager signed out
  }

  protected release(replacedBy: TokenSource | undefined): void {
    // Replaced, the client keeps its auth: the new connection calls setAuth at once.
    if (replacedBy !== undefined) return;
    this.client.clearAuth();
    this.client.setAuth(signedOutFetcher, () => {});
  }
}
