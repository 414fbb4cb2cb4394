/**
 * Certificate pinning for Service Fabric wherever there is a `node:https`: core's
 * `CertificatePinning` service, giving for a thumbprint an `HttpTransport` whose TLS accepts
 * exactly the server certificate with that SHA-1 or SHA-256 fingerprint, self-signed or not. It is
 * `PinnedHttpsTransport` over the runtime's own `node:https`, `node:tls` and `node:net`, loaded on
 * the first pinned request: the certificate is checked when the TLS handshake completes, before a
 * byte of the request (and so the `secret` header) is written. Node, Deno and Bun all pin this
 * way (their `NodeCertificatePinning`, `DenoCertificatePinning` and `BunCertificatePinning` are
 * this module): Deno's and Bun's `fetch` cannot pin a self-signed certificate.
 *
 * @since 0.1.0
 */
import * as CertificatePinning from "@managed-identity/core/CertificatePinning"
import type * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import * as internal from "./internal/certificatePin.js"
import type * as NodeConnection from "./NodeConnection.js"

/**
 * How pinned transports connect: the connect timeout (default 1 second) bounds the TCP and TLS
 * handshakes; keep-alive (default on) and the pool size apply to each thumbprint's pool.
 *
 * @since 0.1.0
 * @category models
 */
export type Options = NodeConnection.Options

export {
  /**
   * The connection failed the pin: `reason` is `mismatch` (another certificate) or `not-tls` (plain
   * HTTP). It is the `cause` of the request's `TransportError`; one class whichever runtime raised
   * it. Thumbprints are public, so the message names both.
   *
   * @since 0.1.0
   * @category errors
   * @example
   * ```ts
   * import { NodeCertificatePinning } from "@managed-identity/node-shared"
   *
   * const isMismatch = (u: unknown) =>
   *   u instanceof NodeCertificatePinning.CertificatePinError && u.reason === "mismatch"
   * ```
   */
  CertificatePinError
} from "./PinnedHttpsTransport.js"

/**
 * Makes transports pinned to a thumbprint (any spelling), each with its own connection pool, for
 * core's `CertificatePinning.make`. A value that is not a SHA-1 or SHA-256 thumbprint gives a
 * transport that refuses every request without connecting (its cause has the code
 * `ERR_MI_CERTIFICATE_PIN`, read as a rejected certificate), without quoting the value.
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import { NodeCertificatePinning } from "@managed-identity/node-shared"
 *
 * const { client, close } = NodeCertificatePinning.pinnedClient({ connectTimeout: "2 seconds" })(
 *   "01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67"
 * )
 * ```
 */
export const pinnedClient = (options: Options = {}): ((thumbprint: string) => CertificatePinning.PinnedClient) =>
  internal.pinnedClient(options)

/**
 * Builds the pinning service: one transport (and connection pool) per normalized thumbprint, all
 * closed with the scope. Thumbprints come from configuration, so the cache stays tiny. A value
 * that is not a thumbprint is `Unavailable` (`not-configured`), without being quoted.
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import * as Effect from "effect/Effect"
 * import { NodeCertificatePinning } from "@managed-identity/node-shared"
 *
 * const client = Effect.scoped(
 *   Effect.flatMap(NodeCertificatePinning.make(), (pinning) => pinning.client("0123456789ABCDEF0123456789ABCDEF01234567"))
 * )
 * ```
 */
export const make = (
  options: Options = {}
): Effect.Effect<Context.Tag.Service<CertificatePinning.CertificatePinning>, never, Scope.Scope> =>
  CertificatePinning.make(internal.pinnedClient(options))

/**
 * A layer providing core's `CertificatePinning`, with the default 1 second connect timeout.
 *
 * @since 0.1.0
 * @category layers
 * @example
 * ```ts
 * import * as Effect from "effect/Effect"
 * import { CertificatePinning } from "@managed-identity/core"
 * import { NodeCertificatePinning } from "@managed-identity/node-shared"
 *
 * const program = Effect.flatMap(CertificatePinning.CertificatePinning, (pinning) =>
 *   pinning.client("0123456789ABCDEF0123456789ABCDEF01234567")
 * )
 * Effect.runPromise(Effect.scoped(Effect.provide(program, NodeCertificatePinning.layer)))
 * ```
 */
export const layer: Layer.Layer<CertificatePinning.CertificatePinning> = CertificatePinning.layer(
  internal.pinnedClient({})
)

/**
 * A layer providing core's `CertificatePinning`, with connection options.
 *
 * @since 0.1.0
 * @category layers
 * @example
 * ```ts
 * import { NodeCertificatePinning } from "@managed-identity/node-shared"
 *
 * const Pinning = NodeCertificatePinning.layerWith({ connectTimeout: "2 seconds", keepAlive: true })
 * ```
 */
export const layerWith = (options: Options): Layer.Layer<CertificatePinning.CertificatePinning> =>
  CertificatePinning.layer(internal.pinnedClient(options))
