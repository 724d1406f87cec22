/**
 * A silent logger every convex version accepts (`logger: false` needs convex ≥ 1.25; before that the
 * option must be an object with these four methods).
 */
const ignore = () => {};
export const quietLogger = { logVerbose: ignore, log: ignore, warn: ignore, error: ignore };
