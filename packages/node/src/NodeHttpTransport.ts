/**
 * The transport that carries token requests on Node: it provides core's `HttpTransport` over
 * `node:http` / `node:https` with their own keep-alive connection pools (or, for a pinned
 * thumbprint, node-shared's `PinnedHttpsTransport` over `node:https`). It never follows a
 * redirect, never uses a proxy whatever `HTTP_PROXY`/`HTTPS_PROXY` say (IMDS is link-local), reads
 * at most the body cap it is given, and gives up connecting after a short timeout so "no endpoint
 * here" is told apart from "endpoint slow". Everything it uses is part of Node, so nothing is
 * loaded or compiled on a cold start's first request.
 *
 * A program that wants its own `@effect/platform` `HttpClient` to carry the requests provides
 * core's `HttpClientTransport.layer` instead.
 *
 * @since 0.1.0
 */
import * as HttpTransport from "@managed-identity/core/HttpTransport"
import type * as NodeConnection from "@managed-identity/node-shared/NodeConnection"
import type * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import type { ConnectionOptions } from "node:tls"
import * as internal from "./internal/transport.js"

/**
 * How the transport connects: the connect timeout (default 1 second), keep-alive (default on) and
 * pool size of every node-module transport, plus extra CAs or a pinned thumbprint.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options extends NodeConnection.Options {
  /** Extra certificate authorities to trust for HTTPS endpoints (ignored when pinning). */
  readonly ca?: ConnectionOptions["ca"] | undefined
  /**
   * Accept exactly the server certificate with this SHA-1 (40 hex) or SHA-256 (64 hex) thumbprint,
   * self-signed or not, and nothing else; plain HTTP is refused (node-shared's `PinnedHttpsTransport`,
   * whose `CertificatePinError` is the failure's cause). A thumbprint that is not hex of either length
   * matches no certificate: every request fails without connecting, with a cause whose code is
   * `ERR_MI_CERTIFICATE_PIN`.
   */
  readonly pinnedThumbprint?: string | undefined
}

/**
 * Builds a transport with its own connection pool, closed when the scope closes; use it to hold
 * several side by side (one per pinned thumbprint, say).
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import * as Effect from "effect/Effect"
 * import { NodeHttpTransport } from "@managed-identity/node/effect"
 *
 * const status = Effect.scoped(
 *   Effect.gen(function*() {
 *     const transport = yield* NodeHttpTransport.make({ connectTimeout: "500 millis" })
 *     const answer = yield* transport.send(
 *       HttpTransport.get("http://127.0.0.1:8080/metadata/identity/oauth2/token"),
 *       { maxBodyBytes: 65_536 }
 *     )
 *     return answer.status
 *   })
 * )
 * ```
 */
export const make = (options: Options = {}): Effect.Effect<HttpTransport.Service, never, Scope.Scope> =>
  internal.make(options)

/**
 * A layer providing core's `HttpTransport` for managed-identity endpoints; its connection pools
 * close with the layer's scope.
 *
 * @since 0.1.0
 * @category layers
 * @example
 * ```ts
 * import * as Effect from "effect/Effect"
 * import { HttpTransport } from "@managed-identity/core"
 * import { NodeHttpTransport } from "@managed-identity/node/effect"
 *
 * const program = Effect.flatMap(HttpTransport.HttpTransport, (transport) =>
 *   transport.send(HttpTransport.get("http://127.0.0.1:8080/"), { maxBodyBytes: 65_536 })
 * )
 * Effect.runPromise(Effect.scoped(Effect.provide(program, NodeHttpTransport.layer({ connectTimeout: "1 second" }))))
 * ```
 */
export const layer = (options: Options = {}): Layer.Layer<HttpTransport.HttpTransport> =>
  Layer.scoped(HttpTransport.HttpTransport, internal.make(options))
