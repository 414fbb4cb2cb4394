import type * as HttpTransport from "@managed-identity/core/HttpTransport"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import type { Options } from "../NodeHttpClient.js"
import { pinnedClient } from "./certificatePin.js"
import * as nodeHttp from "./nodeHttp.js"

/**
 * The transport for `options`: `node:http` / `node:https` (nodeHttp.ts), or, for a pinned
 * thumbprint, core's `PinnedHttpsClient` over `node:https` (certificatePin.ts). Its connection
 * pools close with the scope.
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
          Effect.sync(() => pinnedClient(options)(pinnedThumbprint)),
          (pinned) => Effect.sync(pinned.close)
        ),
        (pinned) => pinned.client
      )
}
