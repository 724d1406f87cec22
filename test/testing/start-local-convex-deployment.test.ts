/**
 * The public entry's argument check: a deployment without a `providers` array fails at once, naming the
 * option and what to pass, instead of answering every token with an unrelated crash later.
 */
import { expect, it } from "vitest";
import { startLocalConvexDeployment } from "../../src/testing";

it("names `providers` in a TypeError when it is not an array", async () => {
  for (const options of [{}, { providers: null }, { providers: { type: "customJwt" } }]) {
    await expect(startLocalConvexDeployment(options as never)).rejects.toThrow(TypeError);
    await expect(startLocalConvexDeployment(options as never)).rejects.toThrow(
      /`providers` must be an array of customJwt provider entries.*\[issuer\.provider\]/,
    );
  }
});
