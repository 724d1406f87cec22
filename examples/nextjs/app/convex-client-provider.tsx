"use client";
/**
 * The client side of the setup: one Convex client and one token manager per browser tab, and the provider
 * that starts from the server's token (`initialToken`): signed in at the first render, no token fetch, one
 * `Authenticate`.
 *
 * On the server this module is loaded once per process and shared by every request: the client and the
 * manager made here are never connected nor started there (React runs no effects on the server), and the
 * request's token only ever travels as a prop, never into module state.
 */
import { ConvexReactClient } from "convex/react";
import { createTokenManager, httpTokenFetcher } from "convex-custom-jwt";
import { ConvexProviderWithCustomJwt } from "convex-custom-jwt/react";
import type { ReactNode } from "react";

const convex = new ConvexReactClient(process.env.NEXT_PUBLIC_CONVEX_URL!);

/** The tab's token manager: `/api/token` answers `{ "token": … }` for the session cookie. */
export const tokens = createTokenManager({ fetchToken: httpTokenFetcher({ url: "/api/token" }) });

export function ConvexClientProvider({
  initialToken,
  children,
}: {
  /** The request's token from `getConvexToken()`: a string, `null` (signed out) or `undefined` (unknown). */
  initialToken: string | null | undefined;
  children: ReactNode;
}) {
  return (
    <ConvexProviderWithCustomJwt client={convex} manager={tokens} initialToken={initialToken}>
      {children}
    </ConvexProviderWithCustomJwt>
  );
}
