/**
 * Certificate pinning for Service Fabric on Deno: core's `CertificatePinning` service, giving for a
 * thumbprint an `HttpTransport` that accepts exactly the server certificate with that SHA-1 (or
 * SHA-256) fingerprint, self-signed or not. Deno's `fetch` cannot do this (`Deno.createHttpClient`
 * only adds CA certificates, and chain and host name are always verified), so pinned requests go
 * through Deno's `node:https` (core's `PinnedHttpsClient`), whose TLS socket shows the
 * peer certificate: it is checked before a byte of the request (and so the `secret` header) is
 * written.
 *
 * @since 0.1.0
 */
import { CertificatePinning, PinnedHttpsClient } from "@managed-identity/core"
import type * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import * as https from "node:https"
import * as net from "node:net"
import * as tls from "node:tls"

export {
  /**
   * The connection failed the pin: `reason` is `mismatch` (another certificate) or `not-tls` (plain
   * HTTP). It is the `cause` of the request's transport error; the class is core's, so `instanceof`
   * holds whichever adapter threw it.
   *
   * @since 0.1.0
   * @category errors
   * @example
   * ```ts
   * import { DenoCertificatePinning } from "@managed-identity/deno"
   *
   * const isMismatch = (u: unknown) =>
   *   u instanceof DenoCertificatePinning.CertificatePinError && u.reason === "mismatch"
   * ```
   */
  CertificatePinError
} from "@managed-identity/core/PinnedHttpsClient"

const pinnedClient = PinnedHttpsClient.make({ https, tls, net })

/**
 * Builds the pinning service: one client (and connection pool) per normalized thumbprint, all
 * closed with the scope.
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import * as Effect from "effect/Effect"
 * import { DenoCertificatePinning } from "@managed-identity/deno"
 *
 * const client = Effect.scoped(
 *   Effect.flatMap(DenoCertificatePinning.make, (pinning) => pinning.client("0123456789ABCDEF0123456789ABCDEF01234567"))
 * )
 * ```
 */
export const make: Effect.Effect<
  Context.Tag.Service<CertificatePinning.CertificatePinning>,
  never,
  Scope.Scope
> = CertificatePinning.make(pinnedClient)

/**
 * A layer providing core's `CertificatePinning` on Deno.
 *
 * @since 0.1.0
 * @category layers
 * @example
 * ```ts
 * import * as Effect from "effect/Effect"
 * import { CertificatePinning, PinnedHttpsClient } from "@managed-identity/core"
 * import { DenoCertificatePinning } from "@managed-identity/deno"
 *
 * const program = Effect.flatMap(CertificatePinning.CertificatePinning, (pinning) =>
 *   pinning.client("0123456789ABCDEF0123456789ABCDEF01234567")
 * )
 * Effect.runPromise(Effect.scoped(Effect.provide(program, DenoCertificatePinning.layer)))
 * ```
 */
export const layer: Layer.Layer<CertificatePinning.CertificatePinning> = CertificatePinning.layer(pinnedClient)
