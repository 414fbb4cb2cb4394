/**
 * Certificate pinning for Service Fabric on Node: core's `CertificatePinning` service, giving for
 * a thumbprint an `HttpTransport` whose TLS accepts exactly the server certificate with that SHA-1
 * or SHA-256 fingerprint, self-signed or not. It is core's `PinnedHttpsClient` over Node's own
 * `node:https`, `node:tls` and `node:net` (as on Bun and Deno): the certificate is checked when
 * the TLS handshake completes, before a byte of the request (and so the `secret` header) is
 * written. Nothing is loaded from npm.
 *
 * @since 0.1.0
 */
import * as CertificatePinning from "@managed-identity/core/CertificatePinning"
import type * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import { pinnedClient } from "./internal/certificatePin.js"
import type { Options as HttpClientOptions } from "./NodeHttpClient.js"

/**
 * How pinned clients connect (everything `NodeHttpClient` takes except what pinning decides).
 *
 * @since 0.1.0
 * @category models
 */
export type Options = Omit<HttpClientOptions, "ca" | "pinnedThumbprint">

export {
  /**
   * The connection failed the pin: `reason` is `mismatch` (another certificate) or `not-tls` (plain
   * HTTP). It is the `cause` of the request's `TransportError`; the class is core's, so `instanceof`
   * holds whichever adapter raised it. Thumbprints are public, so the message names both.
   *
   * @since 0.1.0
   * @category errors
   * @example
   * ```ts
   * import { NodeCertificatePinning } from "@managed-identity/node"
   *
   * const isMismatch = (u: unknown) =>
   *   u instanceof NodeCertificatePinning.CertificatePinError && u.reason === "mismatch"
   * ```
   */
  CertificatePinError
} from "@managed-identity/core/PinnedHttpsClient"

/**
 * Builds the pinning service: one client (and connection pool) per normalized thumbprint, all
 * closed with the scope. Thumbprints come from configuration, so the cache stays tiny. A value
 * that is not a thumbprint is `Unavailable` (`not-configured`), without being quoted.
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import * as Effect from "effect/Effect"
 * import { NodeCertificatePinning } from "@managed-identity/node"
 *
 * const client = Effect.scoped(
 *   Effect.flatMap(NodeCertificatePinning.make(), (pinning) => pinning.client("0123456789ABCDEF0123456789ABCDEF01234567"))
 * )
 * ```
 */
export const make = (
  options: Options = {}
): Effect.Effect<Context.Tag.Service<CertificatePinning.CertificatePinning>, never, Scope.Scope> =>
  CertificatePinning.make(pinnedClient(options))

/**
 * A layer providing core's `CertificatePinning` on Node, with the default 1 second connect timeout.
 *
 * @since 0.1.0
 * @category layers
 * @example
 * ```ts
 * import * as Effect from "effect/Effect"
 * import { CertificatePinning } from "@managed-identity/core"
 * import { NodeCertificatePinning } from "@managed-identity/node"
 *
 * const program = Effect.flatMap(CertificatePinning.CertificatePinning, (pinning) =>
 *   pinning.client("0123456789ABCDEF0123456789ABCDEF01234567")
 * )
 * Effect.runPromise(Effect.scoped(Effect.provide(program, NodeCertificatePinning.layer)))
 * ```
 */
export const layer: Layer.Layer<CertificatePinning.CertificatePinning> = CertificatePinning.layer(pinnedClient({}))

/**
 * A layer providing core's `CertificatePinning` on Node, with connection options.
 *
 * @since 0.1.0
 * @category layers
 * @example
 * ```ts
 * import { NodeCertificatePinning } from "@managed-identity/node"
 *
 * const Pinning = NodeCertificatePinning.layerWith({ connectTimeout: "2 seconds", keepAlive: true })
 * ```
 */
export const layerWith = (options: Options): Layer.Layer<CertificatePinning.CertificatePinning> =>
  CertificatePinning.layer(pinnedClient(options))
