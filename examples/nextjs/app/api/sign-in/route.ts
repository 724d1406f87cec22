/** `POST /api/sign-in` `{ "user": "alice" }`: sets the session cookie. */
import { cookies } from "next/headers";
import { isUserName, SESSION_COOKIE } from "../../../lib/session";

export async function POST(request: Request): Promise<Response> {
  const { user } = (await request.json().catch(() => ({}))) as { user?: unknown };
  if (!isUserName(user)) return Response.json({ error: "user: letters, digits, . _ -" }, { status: 400 });
  (await cookies()).set(SESSION_COOKIE, user, { httpOnly: true, sameSite: "strict", path: "/" });
  return Response.json({ user });
}
