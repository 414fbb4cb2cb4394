/**
 * The `HttpClient` that talks to managed-identity endpoints on Node: `node:http` / `node:https`
 * with their own connection pools (undici, with its custom TLS connector, only for a pinned
 * thumbprint). It keeps connections alive, never follows a redirect, never uses a proxy whatever
 * `HTTP_PROXY`/`HTTPS_PROXY` say (IMDS is link-local), and gives up connecting after a short
 * timeout so "no endpoint here" is told apart from "endpoint slow". `node:http` is part of Node,
 * so nothing is loaded or compiled on a cold start's first request (undici costs 60–150 ms).
 *
 * @since 0.1.0
 */
import * as HttpClient from "@effect/platform/HttpClient"
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import type { ConnectionOptions } from "node:tls"
import * as internal from "./internal/transport.js"

/**
 * How the client connects.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /**
   * How long to wait for the TCP (and TLS) handshake; a failure carries the code
   * `UND_ERR_CONNECT_TIMEOUT` (undici's name, kept for every transport) in its cause chain. Default
   * 1 second: short, because the first token request is also the probe that tells "no endpoint
   * here" from "endpoint slow".
   */
  readonly connectTimeout?: Duration.DurationInput | undefined
  /** Reuse connections between requests. Default `true`. */
  readonly keepAlive?: boolean | undefined
  /** The most connections per origin. Default: unlimited. */
  readonly maxSockets?: number | undefined
  /** Extra certificate authorities to trust for HTTPS endpoints (ignored when pinning). */
  readonly ca?: ConnectionOptions["ca"] | undefined
  /**
   * Accept exactly the server certificate with this SHA-1 (40 hex) or SHA-256 (64 hex) thumbprint,
   * self-signed or not, and nothing else; plain HTTP is refused. A thumbprint that is not hex of
   * either length matches no certificate. Such a client is built on undici, loaded on first use.
   */
  readonly pinnedThumbprint?: string | undefined
}

/**
 * Builds a client with its own connection pool, closed when the scope closes; use it to hold
 * several clients side by side (one per pinned thumbprint, say).
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import * as Effect from "effect/Effect"
 * import { NodeHttpClient } from "@managed-identity/node"
 *
 * const status = Effect.scoped(
 *   Effect.gen(function*() {
 *     const client = yield* NodeHttpClient.make({ connectTimeout: "500 millis" })
 *     const response = yield* client.get("http://127.0.0.1:8080/metadata/identity/oauth2/token")
 *     return response.status
 *   })
 * )
 * ```
 */
export const make = (options: Options = {}): Effect.Effect<HttpClient.HttpClient, never, Scope.Scope> =>
  internal.make(options)

/**
 * A layer providing `HttpClient` for managed-identity endpoints (undici is loaded only for a
 * pinned thumbprint, when the layer is built).
 *
 * @since 0.1.0
 * @category layers
 * @example
 * ```ts
 * import * as Effect from "effect/Effect"
 * import * as HttpClient from "@effect/platform/HttpClient"
 * import { NodeHttpClient } from "@managed-identity/node"
 *
 * const program = Effect.flatMap(HttpClient.HttpClient, (client) => client.get("http://127.0.0.1:8080/"))
 * Effect.runPromise(Effect.scoped(Effect.provide(program, NodeHttpClient.layer({ connectTimeout: "1 second" }))))
 * ```
 */
export const layer = (options: Options = {}): Layer.Layer<HttpClient.HttpClient> =>
  Layer.scoped(HttpClient.HttpClient, internal.make(options))
