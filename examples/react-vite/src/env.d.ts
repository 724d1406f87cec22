/// <reference types="vite/client" />

interface ImportMetaEnv {
  /** The Convex deployment URL (the local deployment, set by `npm run example:react`). */
  readonly VITE_CONVEX_URL: string;
}
