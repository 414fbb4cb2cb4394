import * as HttpTransport from "@managed-identity/core/HttpTransport"
import * as NodeCertificatePinning from "@managed-identity/node-shared/NodeCertificatePinning"
import * as NodeConnection from "@managed-identity/node-shared/NodeConnection"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import type { Options } from "../NodeHttpTransport.js"
import * as nodeHttp from "./nodeHttp.js"

/**
 * The transport for `options`: `node:http` / `node:https` (nodeHttp.ts), or, for a pinned
 * thumbprint, node-shared's pinned `node:https` transport. Its connection pools close with the
 * scope.
 *
 * @internal
 */
export const make = (options: Options): Effect.Effect<HttpTransport.Service, never, Scope.Scope> => {
  const { pinnedThumbprint } = options
  return pinnedThumbprint === undefined
    ? Effect.map(
        Effect.acquireRelease(
          Effect.sync(() =>
            nodeHttp.make({
              connectTimeoutMs: NodeConnection.connectTimeoutMs(options),
              keepAlive: options.keepAlive,
              maxSockets: options.maxSockets,
              ca: options.ca
            })
          ),
          (pools) => Effect.sync(pools.destroy)
        ),
        (pools) => HttpTransport.fromPromise(pools.send)
      )
    : Effect.map(
        Effect.acquireRelease(
          Effect.sync(() => NodeCertificatePinning.pinnedClient(options)(pinnedThumbprint)),
          (pinned) => Effect.sync(pinned.close)
        ),
        (pinned) => pinned.client
      )
}
