/**
 * The server's token as `ConvexProviderWithCustomJwt` hands it down, so `useConvexCustomJwt(manager)` below
 * it renders signed in on the server (and at hydration) without being given the token again.
 *
 * @module
 */
import { createContext, useContext } from "react";
import type { TokenSource } from "../core/token-source";

/** The provider's manager and the token the server rendered the page with. */
export interface InitialTokenScope {
  readonly manager: TokenSource;
  readonly initialToken: string | null | undefined;
}

export const InitialTokenContext = createContext<InitialTokenScope | null>(null);

/**
 * The server's token for `manager`: `explicit` when given, else the nearest provider's when it serves the
 * same manager, else `undefined` (unknown).
 */
export function useInitialToken(manager: TokenSource, explicit: string | null | undefined): string | null | undefined {
  const scope = useContext(InitialTokenContext);
  if (explicit !== undefined) return explicit;
  return scope !== null && scope.manager === manager ? scope.initialToken : undefined;
}
