/**
 * `HttpConnection`: a `ConvexHttpClient`, which has no refresh of its own, kept authenticated by wrapping its
 * request methods so every request goes out with a token valid for the manager's `minValidityMs`.
 *
 * @module
 */
import { Connection } from "./connection";
import type { HttpAuthClient, TokenSource } from "./types";

/** The request methods wrapped (`function` and `consistentQuery` exist on some convex versions only). */
const REQUEST_METHODS = ["query", "consistentQuery", "mutation", "action", "function"] as const;

/** A method this connection replaced: its wrapper, and the own property it covered (none: a prototype method). */
interface Wrapped {
  readonly name: string;
  readonly wrapper: (...args: unknown[]) => Promise<unknown>;
  readonly covered: PropertyDescriptor | undefined;
}

/** `ConvexHttpClient` throws the backend's 401 body as the message: `{"code":"InvalidAuthHeader",…}`. */
function isAuthRejection(error: unknown): boolean {
  return (
    error instanceof Error && /"code"\s*:\s*"(InvalidAuthHeader|Unauthenticated|NoAuthProvider)"/.test(error.message)
  );
}

/**
 * A `ConvexHttpClient`'s connection. Each request first gets the manager's token (`getToken()`: the cached
 * one, or a fetch shared with every other caller) and sets it on the client if it changed; an auth rejection
 * (HTTP 401) is answered with one forced refresh and one retry. A request made while the manager cannot get
 * a token rejects with the manager's error instead of going out unauthenticated. The manager's sign-out
 * clears the client's auth.
 */
export class HttpConnection extends Connection<HttpAuthClient> {
  readonly #wrapped: Wrapped[] = [];
  /** The token last set on the client (`null`: none). */
  #current: string | null = null;

  constructor(client: HttpAuthClient, manager: TokenSource) {
    super(manager, client);
    const methods = client as unknown as Record<string, unknown>;
    for (const name of REQUEST_METHODS) {
      const original = methods[name];
      if (typeof original !== "function") continue;
      const request = original as (...args: unknown[]) => Promise<unknown>;
      const wrapper = (...args: unknown[]) => this.#request(request, args);
      this.#wrapped.push({ name, wrapper, covered: Object.getOwnPropertyDescriptor(client, name) });
      methods[name] = wrapper;
    }
    this.listen("signedOut", () => {
      this.#current = null;
      this.client.clearAuth();
    });
  }

  /** One request with the manager's token; after an auth rejection, one forced refresh and one retry. */
  async #request(original: (...args: unknown[]) => Promise<unknown>, args: unknown[]): Promise<unknown> {
    await this.#authorize(false);
    try {
      return await original.apply(this.client, args);
    } catch (error) {
      if (this.#current === null || !isAuthRejection(error)) throw error;
    }
    await this.#authorize(true);
    return await original.apply(this.client, args);
  }

  /** Set the manager's token on the client if it changed (rejects with the manager's error). */
  async #authorize(forceRefresh: boolean): Promise<void> {
    const token = await this.manager.getToken(forceRefresh ? { forceRefresh: true } : undefined);
    // A request that started before close() must not put a token back on the client.
    if (this.state === "closed" || token === this.#current) return;
    this.#current = token;
    if (token === null) this.client.clearAuth();
    else this.client.setAuth(token);
  }

  protected release(): void {
    const methods = this.client as unknown as Record<string, unknown>;
    for (const { name, wrapper, covered } of this.#wrapped) {
      if (methods[name] !== wrapper) continue; // someone else replaced it since: leave theirs alone
      if (covered) Object.defineProperty(this.client, name, covered);
      else delete methods[name];
    }
    this.client.clearAuth();
  }
}
