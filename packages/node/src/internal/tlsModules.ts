import * as Effect from "effect/Effect"
import type * as Https from "node:https"
import type * as Net from "node:net"
import type * as Tls from "node:tls"

/**
 * `node:https`, `node:tls` and `node:net`, loaded on the first TLS request rather than at import:
 * they cost about 10 ms of a cold start, and the endpoints a serverless function or VM usually
 * talks to (IMDS, App Service's local endpoint) are plain HTTP.
 *
 * @internal
 */
export interface TlsModules {
  readonly https: typeof Https
  readonly tls: typeof Tls
  readonly net: typeof Net
}

let loaded: Promise<TlsModules> | undefined

/** @internal */
export const load: Effect.Effect<TlsModules> = Effect.promise(() => {
  loaded ??= Promise.all([import("node:https"), import("node:tls"), import("node:net")]).then(([https, tls, net]) => ({
    https,
    tls,
    net
  }))
  return loaded
})
