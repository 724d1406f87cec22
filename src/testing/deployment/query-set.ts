/**
 * One socket's query set (crates/sync/src/worker.rs): the queries the client subscribed to, the changes its
 * `ModifyQuerySet` messages made since the last Transition, and the modifications the next Transition
 * carries.
 *
 * @internal
 * @module
 */
import type { Identity } from "./custom-jwt-validator";
import { canonicalUdfPath, errorData, runFunction } from "./functions";
import type { FunctionDef } from "./types";

/** A message the deployment sends on the socket. */
export type ServerMessage = Record<string, unknown> & { type: string };

interface SubscribedQuery {
  udfPath: string;
  args: unknown;
  /** The last result sent, as JSON: an unchanged result is not sent again. */
  lastJson?: string;
}

/** What happened since the last Transition that makes queries run again. */
export interface RerunCause {
  /** An `Authenticate` was accepted: every query runs and is sent under the new identity. */
  identityChanged: boolean;
  /** A mutation ran (on any socket, or over HTTP): every query runs; changed results are sent. */
  dataChanged: boolean;
}

/** The queries of one socket, versioned as the client's `ModifyQuerySet` messages number them. */
export class QuerySet {
  private queries = new Map<number, SubscribedQuery>();
  private added = new Set<number>();
  private removed = new Set<number>();
  /** The query set version the client's modifications have reached. */
  version = 0;

  /** Apply one `ModifyQuerySet`. Returns false when its `baseVersion` is not the current version. */
  modify(m: { baseVersion: unknown; newVersion: number; modifications: Record<string, any>[] }): boolean {
    if (m.baseVersion !== this.version) return false;
    for (const mod of m.modifications) {
      if (mod.type === "Add") {
        this.queries.set(mod.queryId, { udfPath: canonicalUdfPath(mod.udfPath), args: mod.args?.[0] });
        this.added.add(mod.queryId);
        this.removed.delete(mod.queryId);
      } else if (mod.type === "Remove") {
        this.queries.delete(mod.queryId);
        this.added.delete(mod.queryId);
        this.removed.add(mod.queryId);
      }
    }
    this.version = m.newVersion;
    return true;
  }

  /**
   * The modifications of the next Transition (worker `begin_update_queries`): the removed queries, then each
   * query that is new, or must run again (see {@link RerunCause}) and whose result changed.
   */
  async takeModifications(
    functions: Record<string, FunctionDef>,
    identity: Identity | null,
    cause: RerunCause,
  ): Promise<ServerMessage[]> {
    const rerunAll = cause.identityChanged || cause.dataChanged;
    const modifications: ServerMessage[] = [...this.removed].map((queryId) => ({ type: "QueryRemoved", queryId }));
    for (const [queryId, q] of this.queries) {
      const mustSend = cause.identityChanged || this.added.has(queryId);
      if (!mustSend && !rerunAll) continue;
      const result = await runFunction(functions, q.udfPath, "query", identity, q.args);
      const json = JSON.stringify(result);
      if (!mustSend && json === q.lastJson) continue; // unchanged result: nothing to send
      q.lastJson = json;
      modifications.push(
        result.ok
          ? { type: "QueryUpdated", queryId, value: result.value, logLines: [], journal: null }
          : {
              type: "QueryFailed",
              queryId,
              errorMessage: result.message,
              logLines: [],
              journal: null,
              ...errorData(result),
            },
      );
    }
    this.added.clear();
    this.removed.clear();
    return modifications;
  }
}
