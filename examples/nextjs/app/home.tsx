"use client";
/**
 * The page's client part: the session (sign in and out against the dev token endpoint), the user's profile
 * from the preloaded query (then the live subscription), a form that adds a note (the subscription shows
 * it), and the token's state.
 */
import { type Preloaded, useMutation, usePreloadedQuery } from "convex/react";
import { useConvexCustomJwt } from "convex-custom-jwt/react";
import { useEffect, useRef, useState } from "react";
import { api } from "./api";
import { tokens } from "./convex-client-provider";

export function Home({ me }: { me: Preloaded<typeof api.users.me> }) {
  const user = usePreloadedQuery(me);
  const { isLoading, isAuthenticated } = useConvexCustomJwt(tokens);
  const session = isLoading ? "loading" : isAuthenticated ? "signed in" : "signed out";
  return (
    <main>
      <h1>convex-custom-jwt · Next.js</h1>
      <section>
        <h2>Session</h2>
        <p data-testid="session">{session}</p>
        {isAuthenticated ? <SignOut /> : <SignIn disabled={isLoading} />}
      </section>
      <section>
        <h2>Profile (preloaded on the server, then live)</h2>
        <p data-testid="user">{user === null ? "anonymous" : user.subject}</p>
        {user !== null ? <Notes notes={user.notes} /> : null}
      </section>
      <TokenPanel />
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

function SignIn({ disabled }: { disabled: boolean }) {
  const [user, setUser] = useState("alice");
  return (
    <form
      onSubmit={(event) => {
        event.preventDefault();
        void post("/api/sign-in", { user }).then(() => tokens.start()); // fetch a token now, keep it fresh
      }}
    >
      <input aria-label="user" value={user} onChange={(event) => setUser(event.target.value)} />
      <button type="submit" disabled={disabled}>
        Sign in
      </button>
    </form>
  );
}

function SignOut() {
  return (
    <button
      type="button"
      onClick={() => {
        tokens.signOut(); // the Convex client is signed out at once
        void post("/api/sign-out");
      }}
    >
      Sign out
    </button>
  );
}

function Notes({ notes }: { notes: string[] }) {
  const add = useMutation(api.notes.add);
  const [body, setBody] = useState("");
  return (
    <>
      <ul data-testid="notes">
        {notes.map((note, index) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: notes are only ever appended
          <li key={index}>{note}</li>
        ))}
      </ul>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          void add({ body }).then(() => setBody(""));
        }}
      >
        <input aria-label="note" value={body} onChange={(event) => setBody(event.target.value)} />
        <button type="submit">Add note</button>
      </form>
    </>
  );
}

function TokenPanel() {
  const { status, expiresAt } = useConvexCustomJwt(tokens);
  const rotations = useRotations(expiresAt);
  const now = useNow(250);
  return (
    <section data-testid="token" data-rotations={rotations}>
      <h2>Token</h2>
      <p>
        status <span data-testid="status">{status}</span>, expires in{" "}
        {/* Rendered after hydration only: the server's clock and the browser's differ. */}
        <span data-testid="countdown">
          {expiresAt === null || now === null ? "–" : `${Math.max(0, Math.ceil((expiresAt - now) / 1000))} s`}
        </span>
        , rotations <span>{rotations}</span>
      </p>
    </section>
  );
}

/** The wall clock, re-read every `ms`; `null` until mounted (the server renders no time). */
function useNow(ms: number): number | null {
  const [now, setNow] = useState<number | null>(null);
  useEffect(() => {
    setNow(Date.now());
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
