/**
 * The app's entry: one Convex client, one token manager, and the provider that connects them.
 */
import { ConvexReactClient } from "convex/react";
import { createTokenManager, httpTokenFetcher } from "convex-custom-jwt";
import { ConvexProviderWithCustomJwt } from "convex-custom-jwt/react";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./App";

// Created once, outside React.
const convex = new ConvexReactClient(import.meta.env.VITE_CONVEX_URL, {
  skipConvexDeploymentUrlCheck: true, // the local deployment lives on http://127.0.0.1:PORT
});
// The dev token endpoint answers { "token": "<jwt>" } for the session cookie, { "token": null } without one.
const tokens = createTokenManager({ fetchToken: httpTokenFetcher({ url: "/api/token" }) });

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <ConvexProviderWithCustomJwt client={convex} manager={tokens}>
      <App tokens={tokens} />
    </ConvexProviderWithCustomJwt>
  </StrictMode>,
);
