/**
 * `ConnectClient`: the effect-only component through which `ConvexProviderWithCustomJwt` connects its client
 * with `connectConvex`, keeping the connection across StrictMode's simulated unmount.
 *
 * @module
 */
import { useEffect, useRef } from "react";
import type { ConvexReactClient } from "convex/react";
import { connectConvex } from "../convex/connect-convex";
import type { TokenSource } from "../core/token-source";

/** Where Convex's answers go: `ConvexProviderWithAuth`'s `onChange`, and the last answer for replay. */
export interface Bridge {
  onChange: ((isAuthenticated: boolean) => void) | null;
  confirmed: boolean;
}

/** Props of {@link ConnectClient}. */
export interface ConnectClientProps {
  client: ConvexReactClient;
  manager: TokenSource;
  bridge: Bridge;
  authRefreshTokenLeewaySeconds: number | undefined;
  /** The server's token: handed to an idle manager before the client is connected (server rendering). */
  initialToken?: string | null | undefined;
}

/**
 * One `connectConvex` of the provider:
 * - `live` while its effect is mounted;
 * - `releasing` once its effect was cleaned up: released a microtask later, unless the same effect runs
 *   again at once (StrictMode's simulated unmount and re-mount);
 * - `released` once disconnected, for good.
 */
interface HeldConnection {
  readonly client: ConvexReactClient;
  readonly manager: TokenSource;
  readonly leeway: number | undefined;
  readonly disconnect: () => void;
  state: "live" | "releasing" | "released";
}

/** Disconnect once. */
function release(connection: HeldConnection): void {
  if (connection.state === "released") return;
  connection.state = "released";
  try {
    connection.disconnect();
  } catch {
    // The app closed the client in the same task as the unmount: it has no auth left to undo.
  }
}

/**
 * Connects the client in an effect, which runs before the children's effects subscribe to queries (effects
 * run in tree order). Re-renders send nothing; StrictMode's double mount keeps the one connection; a new
 * client, manager or leeway replaces it; unmounting disconnects it (the client is left signed out). Before
 * that, an idle manager is handed the server's `initialToken` (`hydrate`), so the connection starts from it:
 * one `Authenticate`, no fetch.
 */
export function ConnectClient({
  client,
  manager,
  bridge,
  authRefreshTokenLeewaySeconds,
  initialToken,
}: ConnectClientProps): null {
  const held = useRef<HeldConnection | null>(null);
  useEffect(() => {
    if (initialToken !== undefined && manager.getSnapshot().status === "idle") manager.hydrate?.(initialToken);
  }, [manager, initialToken]);
  useEffect(() => {
    let connection = held.current;
    const same =
      connection?.client === client &&
      connection.manager === manager &&
      connection.leeway === authRefreshTokenLeewaySeconds;
    if (connection !== null && connection.state !== "released" && same) {
      connection.state = "live"; // StrictMode's re-mount: keep the connection, send nothing
    } else {
      if (connection !== null) release(connection);
      const onChange = (isAuthenticated: boolean) => {
        bridge.confirmed = isAuthenticated;
        bridge.onChange?.(isAuthenticated);
      };
      const disconnect = connectConvex(client, manager, { onChange, authRefreshTokenLeewaySeconds });
      connection = { client, manager, leeway: authRefreshTokenLeewaySeconds, disconnect, state: "live" };
      held.current = connection;
    }
    const mine = connection;
    return () => {
      if (mine.state !== "live") return;
      mine.state = "releasing";
      queueMicrotask(() => {
        if (mine.state === "releasing") release(mine);
      });
    };
  }, [client, manager, bridge, authRefreshTokenLeewaySeconds]);
  return null;
}
