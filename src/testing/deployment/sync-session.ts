/**
 * The sync WebSocket protocol: one Session per socket (crates/sync/src/worker.rs).
 *
 * @internal
 * @module
 */
import type { WebSocket } from "ws";
import { identityExpired } from "../../server/backend-rules";
import { BACKEND_MESSAGES } from "../../server/backend-messages";
import { noteIo, trackIo } from "../io-activity";
import { AuthFailure } from "./auth-failure";
import { arrivedExpired, type Identity } from "./custom-jwt-validator";
import { QuerySet, type ServerMessage } from "./query-set";
import { runRequest } from "./run-request";
import { SessionEnd, internalError } from "./session-end";
import type { AuthenticateRecord, Deployment } from "./types";
import { decodeU64, encodeU64 } from "./u64";

/** The backend pings a socket it has sent nothing on for this long (HEARTBEAT_INTERVAL). */
const PING_INTERVAL_MS = 15_000;

/** One socket's session: its identity, its query set, and the messages it has yet to handle, in order. */
export class Session {
  /** Last version sent in a Transition. */
  private sent = { querySet: 0, identity: 0, ts: 0n };
  /** The identity version the client's `Authenticate` messages have moved us to (sent with the next Transition). */
  private receivedIdentity = 0;
  identity: Identity | null = null;
  private querySet = new QuerySet();
  private updateScheduled = false;
  private dataChanged = false;
  private inbox: Record<string, any>[] = [];
  private draining = false;
  private clientClockSkew: number | undefined;
  private pingTimer: ReturnType<typeof setTimeout> | undefined;
  closed = false;

  constructor(
    readonly id: number,
    private ws: WebSocket,
    private d: Deployment,
  ) {
    this.resetPing();
    ws.on("message", (raw) => {
      noteIo();
      try {
        this.inbox.push(JSON.parse(String(raw)));
      } catch {
        return this.end(internalError());
      }
      this.kick();
    });
    ws.on("close", () => {
      noteIo();
      this.closed = true;
      clearTimeout(this.pingTimer);
    });
  }

  /** Another connection (or HTTP) wrote data: re-run this socket's queries. */
  noteDataChanged() {
    this.dataChanged = true;
    this.updateScheduled = true;
    this.kick();
  }

  /** Process queued messages one at a time (the real worker awaits each one too). */
  kick() {
    if (this.draining || this.closed) return;
    this.draining = true;
    void trackIo(this.drain());
  }

  private async drain() {
    try {
      while (!this.closed) {
        const message = this.inbox.shift();
        if (message) await this.handle(message);
        else if (this.updateScheduled) await this.flush();
        else break;
      }
    } catch (err) {
      this.end(err);
    } finally {
      this.draining = false;
    }
  }

  private async handle(m: Record<string, any>) {
    switch (m.type) {
      case "Connect":
        if (typeof m.clientTs === "number") this.clientClockSkew = m.clientTs - this.d.now();
        // The backend refuses clients that saw a newer ts than it knows (linearizability).
        if (typeof m.maxObservedTimestamp === "string" && decodeU64(m.maxObservedTimestamp) > this.d.latestTs) {
          throw internalError();
        }
        return;
      case "Authenticate":
        return this.authenticate(m);
      case "ModifyQuerySet":
        if (!this.querySet.modify(m as Parameters<QuerySet["modify"]>[0])) throw internalError();
        this.updateScheduled = true;
        return;
      case "Mutation":
      case "Action":
        return this.runRequest(m);
      case "Event":
        return; // client telemetry
      default:
        throw internalError();
    }
  }

  private async authenticate(m: Record<string, any>) {
    const record: AuthenticateRecord = {
      at: this.d.now(),
      connection: this.id,
      baseVersion: m.baseVersion,
      tokenType: m.tokenType,
      ...(m.value !== undefined ? { token: m.value } : {}),
      accepted: false,
      expired: m.tokenType === "User" && arrivedExpired(m.value, this.d.now()),
    };
    this.d.authenticates.push(record);
    let identity: Identity | null = null;
    try {
      if (m.tokenType === "User") identity = await this.d.validator.validate(String(m.value), this.d.now());
      else if (m.tokenType === "Admin") {
        // No admin keys exist here (application_auth.rs `check_key`).
        throw new AuthFailure("BadAdminKey", "The provided admin key was invalid for this instance");
      }
    } catch (err) {
      if (!(err instanceof AuthFailure)) throw err;
      // On the socket every auth rejection becomes AuthUpdateFailed, which ends the session.
      record.error = err.message;
      this.d.onAuthenticate?.(record);
      throw this.authError(err.message, true);
    }
    if (m.baseVersion !== this.receivedIdentity) {
      record.error = `baseVersion ${m.baseVersion} != identity version ${this.receivedIdentity}`;
      throw internalError();
    }
    record.accepted = true;
    this.d.onAuthenticate?.(record);
    this.identity = identity;
    this.receivedIdentity++;
    this.updateScheduled = true; // every query re-runs under the new identity
  }

  private async runRequest(m: Record<string, any>) {
    this.revalidateIdentity();
    const { response, committed } = await runRequest(this.d, this.identity, m);
    this.send(response);
    if (committed) this.d.dataChanged();
    this.updateScheduled = true;
  }

  /** `SyncState::identity`: a user identity past its `exp` (no leeway) ends the session. */
  private revalidateIdentity() {
    if (this.identity && identityExpired(this.identity.exp, this.d.now())) {
      throw this.authError(BACKEND_MESSAGES.expired, false);
    }
  }

  /** Send one Transition covering everything since the last one (worker `begin_update_queries`). */
  private async flush() {
    this.updateScheduled = false;
    this.revalidateIdentity();
    const identityChanged = this.receivedIdentity > this.sent.identity;
    const modifications = await this.querySet.takeModifications(this.d.functions, this.identity, {
      identityChanged,
      dataChanged: this.dataChanged,
    });
    this.dataChanged = false;
    if (this.closed) return;
    const end = { querySet: this.querySet.version, identity: this.receivedIdentity, ts: this.d.nextTs() };
    const version = (v: typeof end) => ({ querySet: v.querySet, identity: v.identity, ts: encodeU64(v.ts) });
    this.send({
      type: "Transition",
      startVersion: version(this.sent),
      endVersion: version(end),
      modifications,
      ...(this.clientClockSkew !== undefined ? { clientClockSkew: this.clientClockSkew } : {}),
      serverTs: this.d.now() * 1e6,
    });
    this.sent = end;
  }

  private authError(error: string, authUpdateAttempted: boolean): SessionEnd {
    // baseVersion is the last *transitioned* identity version (subs/mod.rs).
    const message = { type: "AuthError", error, baseVersion: this.sent.identity, authUpdateAttempted };
    this.d.authErrors.push({
      at: this.d.now(),
      connection: this.id,
      error,
      baseVersion: this.sent.identity,
      authUpdateAttempted,
    });
    return new SessionEnd(message);
  }

  private send(message: ServerMessage) {
    if (this.closed) return;
    this.ws.send(JSON.stringify(message));
    noteIo();
    this.resetPing();
  }

  /** The server pings after 15 s without sending anything else. */
  private resetPing() {
    clearTimeout(this.pingTimer);
    if (this.closed) return;
    this.pingTimer = setTimeout(() => this.send({ type: "Ping" }), PING_INTERVAL_MS);
    this.pingTimer.unref?.();
  }

  end(err: unknown) {
    if (this.closed) return;
    const e = err instanceof SessionEnd ? err : internalError();
    if (!(err instanceof SessionEnd)) {
      console.error(
        "convex-custom-jwt/testing: the local Convex deployment closed a socket (1011) because handling a message " +
          "threw (a bug in the testing kit: please report it with this error):",
        err,
      );
    }
    if (e.finalMessage) this.send(e.finalMessage);
    this.closed = true;
    clearTimeout(this.pingTimer);
    if (e.closeCode !== undefined) this.ws.close(e.closeCode, e.closeReason);
    else this.ws.close(); // no status code: the client sees 1005 and treats it as a normal drop
  }

  terminate() {
    this.closed = true;
    clearTimeout(this.pingTimer);
    this.ws.terminate();
  }
}
