/**
 * The Convex functions this example calls. A real app imports `api` from `convex/_generated/api`; the
 * local deployment that `dev.ts` starts defines these two in code:
 * - `users:me` (query): `{ subject, notes }` for the signed-in user, `null` when anonymous;
 * - `notes:add` (mutation, `{ body }`): adds a note to the signed-in user's list.
 */
import { makeFunctionReference } from "convex/server";

export interface Me {
  subject: string;
  notes: string[];
}

export const api = {
  users: { me: makeFunctionReference<"query", Record<string, never>, Me | null>("users:me") },
  notes: { add: makeFunctionReference<"mutation", { body: string }, null>("notes:add") },
};
