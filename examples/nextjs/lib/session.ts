/**
 * The example's session: a cookie holding the user's name (a real app keeps an opaque session id). The
 * route handlers in `app/api/` set and clear it.
 */
import { cookies } from "next/headers";

export const SESSION_COOKIE = "session";
const NAME = /^[\w.-]{1,64}$/;

/** Whether `user` is a name the example accepts (letters, digits, `.`, `_`, `-`). */
export function isUserName(user: unknown): user is string {
  return typeof user === "string" && NAME.test(user);
}

/** The signed-in user of this request, or `null`. */
export async function currentUser(): Promise<string | null> {
  const user = (await cookies()).get(SESSION_COOKIE)?.value;
  return isUserName(user) ? user : null;
}
