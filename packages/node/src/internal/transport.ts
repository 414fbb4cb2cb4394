import type * as HttpTransport from "@managed-identity/core/HttpTransport"
import * as NodeCertificatePinning from "@managed-identity/node-shared/NodeCertificatePinning"
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
          Effect.sync(() => nodeHttp.make(options)),
          (pools) => Effect.sync(pools.destroy)
        ),
        (pools) => pools.transport
      )
    : Effect.map(
        Effect.acquireRelease(
          Effect.sync(() => NodeCertificatePinning.pinnedClient(options)(pinnedThumbprint)),
          (pinned) => Effect.sync(pinned.close)
        ),
        (pinned) => pinned.client
      )
}
