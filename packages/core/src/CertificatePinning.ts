/**
 * Service Fabric's managed-identity endpoint serves HTTPS with a self-signed certificate that the
 * client must pin by its thumbprint (`IDENTITY_SERVER_THUMBPRINT`). How to pin is a runtime
 * matter, so adapters provide this service; runtimes that cannot pin provide `unsupported`.
 *
 * @since 0.1.0
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { Unavailable } from "./ManagedIdentityError.js"

/**
 * Gives an HTTP client that accepts exactly the server certificate with the given SHA-1
 * thumbprint (hex, any case, colons allowed) and nothing else.
 *
 * @since 0.1.0
 * @category tags
 * @example
 * ```ts
 * import * as Effect from "effect/Effect"
 * import { CertificatePinning } from "@managed-identity/core"
 *
 * const client = Effect.flatMap(CertificatePinning.CertificatePinning, (p) => p.client("A1B2..."))
 * ```
 */
export class CertificatePinning extends Context.Tag("@managed-identity/core/CertificatePinning")<
  CertificatePinning,
  { readonly client: (thumbprint: string) => Effect.Effect<HttpClient.HttpClient, Unavailable> }
>() {}

/**
 * Normalizes a thumbprint to upper-case hex without separators, or `undefined` when it is not one.
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import { CertificatePinning } from "@managed-identity/core"
 *
 * CertificatePinning.normalizeThumbprint("ab:cd") // "ABCD"
 * ```
 */
export const normalizeThumbprint = (thumbprint: string): string | undefined => {
  const hex = thumbprint.replace(/[\s:]/g, "").toUpperCase()
  return /^[0-9A-F]+$/.test(hex) && (hex.length === 40 || hex.length === 64) ? hex : undefined
}

/**
 * A layer for runtimes that cannot pin a certificate: Service Fabric is `Unavailable` with the reason.
 *
 * @since 0.1.0
 * @category layers
 * @example
 * ```ts
 * import { CertificatePinning } from "@managed-identity/core"
 *
 * const NoPinning = CertificatePinning.unsupported("edge runtimes cannot pin TLS certificates")
 * ```
 */
export const unsupported = (why: string): Layer.Layer<CertificatePinning> =>
  Layer.succeed(CertificatePinning, {
    client: () =>
      Effect.fail(
        new Unavailable({
          source: "ServiceFabric",
          reason: "unsupported-runtime",
          message: `ServiceFabric: cannot pin the endpoint's certificate here: ${why}`,
          attempts: 0,
          elapsedMs: 0
        })
      )
  })
