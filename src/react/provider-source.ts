/**
 * `ProviderSource`: the nearest `ConvexProviderWithCustomJwt`'s manager and options. Its own `useAuth` reads
 * them (one function for the module's life, so its identity never changes), and `useConvexCustomJwt(manager)`
 * below it takes the provider's `initialToken` when it watches the same manager, so it renders signed in on
 * the server and at hydration without being given the token again.
 *
 * @module
 */
import { createContext, useContext } from "react";
import type { TokenSource } from "../core/token-source";

/** A provider's manager and the options it was given. */
export interface ProviderSourceValue {
  readonly manager: TokenSource;
  readonly options: { readonly authRefreshTokenLeewaySeconds?: number; readonly initialToken?: string | null };
}

export const ProviderSource = createContext<ProviderSourceValue | null>(null);

/**
 * The server's token for `manager`: `explicit` when given, else the nearest provider's when it serves the
 * same manager, else `undefined` (unknown).
 */
export function useInitialToken(manager: TokenSource, explicit: string | null | undefined): string | null | undefined {
  const source = useContext(ProviderSource);
  if (explicit !== undefined) return explicit;
  return source !== null && source.manager === manager ? source.options.initialToken : undefined;
}
