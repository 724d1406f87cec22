/**
 * `ConvexHttpClient` has no refresh of its own: wrap its request methods so every request goes out with a
 * token valid for the manager's `minValidityMs`.
 *
 * @module
 */
import type { HttpAuthClient, TokenSource } from "./types";

/**
 * Wrap `client`'s request methods and sign it out with the manager; returns `close()`, which puts back
 * exactly the methods it replaced (own properties restored, prototype methods uncovered), removes its
 * listener and clears the client's auth. `connectConvex` calls `close()` once.
 */
export function connectHttpClient(client: HttpAuthClient, manager: TokenSource): () => void {
  const record = client as unknown as Record<string, unknown>;
  /** Each method replaced: its name, the wrapper, and the own property it covered (undefined: none). */
  const replaced: [string, unknown, PropertyDescriptor | undefined][] = [];
  let current: string | null = null;
  let open = true;
  const authorize = async (forceRefresh?: boolean) => {
    const token = await manager.getToken(forceRefresh ? { forceRefresh } : undefined);
    // A call that started before close() must not put a token back on the client.
    if (open && token !== current) {
      current = token;
      if (token === null) client.clearAuth();
      else client.setAuth(token);
    }
  };
  for (const name of ["query", "consistentQuery", "mutation", "action", "function"]) {
    const original = record[name];
    if (typeof original != "function") continue;
    const wrapper = async (...args: unknown[]) => {
      await authorize();
      try {
        return await original.apply(client, args);
      } catch (error) {
        // ConvexHttpClient throws the backend's 401 body as the message: `{"code":"InvalidAuthHeader",…}`.
        if (
          current === null ||
          !(error instanceof Error && /"code"\s*:\s*"(InvalidAuthHeader|Unauthenticated|NoAuthProvider)"/.test(error.message))
        ) {
          throw error;
        }
        await authorize(true);
        return await original.apply(client, args);
      }
    };
    replaced.push([name, wrapper, Object.getOwnPropertyDescriptor(record, name)]);
    record[name] = wrapper;
  }
  const onSignedOut = () => {
    current = null;
    client.clearAuth();
  };
  manager.on("signedOut", onSignedOut);
  return () => {
    open = false;
    manager.off("signedOut", onSignedOut);
    for (const [name, wrapper, own] of replaced) {
      if (record[name] !== wrapper) continue; // someone else replaced it since: leave theirs alone
      if (own) Object.defineProperty(record, name, own);
      else delete record[name];
    }
    client.clearAuth();
  };
}
