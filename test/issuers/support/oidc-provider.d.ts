// The parts of oidc-provider 9 (which ships no types) that the loopback issuer uses.
declare module "oidc-provider" {
  import type { IncomingMessage, ServerResponse } from "node:http";

  export const errors: { InvalidTarget: new (detail?: string) => Error };

  export default class Provider {
    constructor(issuer: string, configuration: Record<string, unknown>);
    callback(): (req: IncomingMessage, res: ServerResponse) => unknown;
  }
}
