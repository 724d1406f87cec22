/**
 * Sign in and out against the dev token endpoint, the identity Convex sees, and the token's state.
 */
import { useConvexAuth, useQuery } from "convex/react";
import { anyApi } from "convex/server";
import type { TokenManager } from "convex-custom-jwt";
import { useConvexCustomJwt } from "convex-custom-jwt/react";
import { useEffect, useRef, useState } from "react";

/** `auth:whoami` returns `ctx.auth.getUserIdentity()` (a built-in of the local deployment). */
const whoami = anyApi.auth!.whoami!;

export function App({ tokens }: { tokens: TokenManager }) {
  return (
    <main>
      <h1>convex-custom-jwt · React</h1>
      <Session tokens={tokens} />
      <Identity />
      <TokenPanel tokens={tokens} />
    </main>
  );
}

async function post(path: string, body?: unknown) {
  const response = await fetch(path, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body ?? {}),
  });
  if (!response.ok) throw new Error(`${path} answered ${response.status}`);
}

function Session({ tokens }: { tokens: TokenManager }) {
  const { isAuthenticated, isLoading } = useConvexAuth();
  const [user, setUser] = useState("alice");
  const signIn = async () => {
    await post("/api/sign-in", { user });
    tokens.start(); // fetch a token now, and keep it fresh
  };
  const signOut = async () => {
    tokens.signOut(); // the Convex client is signed out at once
    await post("/api/sign-out");
  };
  return (
    <section>
      <h2>Session</h2>
      <p data-testid="convex-auth">{isLoading ? "loading" : isAuthenticated ? "authenticated" : "signed out"}</p>
      {isAuthenticated ? (
        <button type="button" onClick={() => void signOut()}>
          Sign out
        </button>
      ) : (
        <form
          onSubmit={(event) => {
            event.preventDefault();
            void signIn();
          }}
        >
          <input id="user" aria-label="user" value={user} onChange={(event) => setUser(event.target.value)} />
          <button type="submit" disabled={isLoading}>
            Sign in
          </button>
        </form>
      )}
    </section>
  );
}

function Identity() {
  const identity = useQuery(whoami, {}) as { subject: string; tokenIdentifier: string } | null | undefined;
  return (
    <section>
      <h2>Who Convex sees</h2>
      <p data-testid="identity">{identity === undefined ? "…" : identity === null ? "anonymous" : identity.subject}</p>
      {identity ? <p>{identity.tokenIdentifier}</p> : null}
    </section>
  );
}

function TokenPanel({ tokens }: { tokens: TokenManager }) {
  const { status, subject, expiresAt, error } = useConvexCustomJwt(tokens);
  const now = useNow(250);
  const rotations = useRotations(expiresAt);
  return (
    <section data-testid="token" data-rotations={rotations} data-expires-at={expiresAt ?? ""}>
      <h2>Token</h2>
      <dl>
        <dt>status</dt>
        <dd data-testid="status">{status}</dd>
        <dt>subject</dt>
        <dd>{subject ?? "–"}</dd>
        <dt>expires in</dt>
        <dd data-testid="countdown">
          {expiresAt === null ? "–" : `${Math.max(0, Math.ceil((expiresAt - now) / 1000))} s`}
        </dd>
        <dt>rotations</dt>
        <dd>{rotations}</dd>
        {error ? (
          <>
            <dt>last error</dt>
            <dd>{error instanceof Error ? error.message : String(error)}</dd>
          </>
        ) : null}
      </dl>
    </section>
  );
}

/** The wall clock, re-read every `ms` (for the countdown). */
function useNow(ms: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const id = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(id);
  }, [ms]);
  return now;
}

/** How many times the token was replaced by a newer one while signed in. */
function useRotations(expiresAt: number | null): number {
  const last = useRef<number | null>(null);
  const [rotations, setRotations] = useState(0);
  useEffect(() => {
    if (expiresAt !== null && last.current !== null && expiresAt > last.current) setRotations((n) => n + 1);
    last.current = expiresAt;
  }, [expiresAt]);
  return rotations;
}
