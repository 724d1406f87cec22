/**
 * `convex-custom-jwt/react`: a token manager for React and Convex.
 *
 * @example
 * import { ConvexProviderWithCustomJwt, useConvexCustomJwt } from "convex-custom-jwt/react";
 * <ConvexProviderWithCustomJwt client={convex} manager={tokens}><App /></ConvexProviderWithCustomJwt>
 *
 * @module
 */
export { ConvexProviderWithCustomJwt } from "./convex-provider-with-custom-jwt";
export { useConvexCustomJwt } from "./use-convex-custom-jwt";

export type { ConvexProviderWithCustomJwtProps } from "./convex-provider-with-custom-jwt";
export type { ConvexCustomJwtState, UseConvexCustomJwtOptions } from "./use-convex-custom-jwt";
