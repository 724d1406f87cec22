/** `POST /api/sign-out`: clears the session cookie. */
import { cookies } from "next/headers";
import { SESSION_COOKIE } from "../../../lib/session";

export async function POST(): Promise<Response> {
  (await cookies()).delete(SESSION_COOKIE);
  return Response.json({});
}
