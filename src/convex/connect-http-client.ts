/**
 * `ConvexHttpClient` has no refresh of its own: wrap its request methods so every request goes out with a
 * token valid for the manager's `minValidityMs`.
 *
 * @module
 */
import type { HttpAuthClient, TokenSource } from "./types";

/** Add a listener to the manager, and its removal to the connection's `undo`. */
export type Listen = (event: "token" | "signedOut", listener: () => void) => void;

/**
 * Wrap `client`'s request methods and sign it out with the manager. Pushes onto `undo` what puts back
 * exactly the methods it replaced (own properties restored, prototype methods uncovered, a method someone
 * else replaced since left alone) and removes its listener; `connectConvex` runs `undo` once and empties it,
 * so an empty `undo` means closed.
 */
export function connectHttpClient(
  client: HttpAuthClient & Record<string, unknown>,
  manager: TokenSource,
  undo: (() => void)[],
  listen: Listen,
): void {
  let current: string | null = null;
  for (const name of ["query", "consistentQuery", "mutation", "action", "function"]) {
    const original = client[name];
    if (typeof original != "function") continue;
    const wrapper = async (...args: unknown[]) => {
      // An auth rejection (HTTP 401) is answered with one forced refresh and one retry.
      for (let retried = 0; ; retried = 1) {
        const token = await manager.getToken(retried ? { forceRefresh: true } : undefined);
        // A call that started before close() (which empties `undo`) must not put a token back on the client.
        if (undo[0] && token !== current) {
          current = token;
          if (token === null) client.clearAuth();
          else client.setAuth(token);
        }
        try {
          return await original.apply(client, args);
        } catch (error) {
          // ConvexHttpClient throws the backend's 401 body as the message: `{"code":"InvalidAuthHeader",…}`.
          if (
            retried ||
            current === null ||
            !(
              error instanceof Error &&
              /"code"\s*:\s*"(InvalidAuthHeader|Unauthenticated|NoAuthProvider)"/.test(error.message)
            )
          ) {
            throw error;
          }
        }
      }
    };
    const own = Object.getOwnPropertyDescriptor(client, name);
    client[name] = wrapper;
    undo.push(() => {
      if (client[name] !== wrapper) return; // someone else replaced it since: leave theirs alone
      if (own) Object.defineProperty(client, name, own);
      else delete client[name];
    });
  }
  listen("signedOut", () => {
    current = null;
    client.clearAuth();
  });
}
