/**
 * Service Fabric's managed-identity endpoint serves HTTPS with a self-signed certificate that the
 * client must pin by its thumbprint (`IDENTITY_SERVER_THUMBPRINT`). How to pin is a runtime
 * matter, so adapters provide this service; runtimes that cannot pin provide `unsupported`.
 * Node, Deno and Bun get it from `make` (or `layer`) over the pinned `node:https` transport of
 * `@managed-identity/node-shared` (`NodeCertificatePinning`).
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import type { Service as HttpTransportService } from "./HttpTransport.js"
import { Unavailable } from "./ManagedIdentityError.js"
import * as internal from "./internal/thumbprint.js"

/**
 * Gives an `HttpTransport` that accepts exactly the server certificate with the given SHA-1 or
 * SHA-256 thumbprint (hex, any case, colons allowed) and nothing else.
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
  {
    readonly client: (thumbprint: string) => Effect.Effect<HttpTransportService, Unavailable>
    /** Why this runtime cannot pin certificates at all; a source that pins is refused up front. */
    readonly unavailable?: string | undefined
  }
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
export const normalizeThumbprint: (thumbprint: string) => string | undefined = internal.normalizeThumbprint

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
      ),
    unavailable: why
  })

/**
 * A pinned transport (`client`) and how to close its connections.
 *
 * @since 0.1.0
 * @category models
 */
export interface PinnedClient {
  readonly client: HttpTransportService
  readonly close: () => void
}

/**
 * Builds the service from a way to make a client pinned to one normalized thumbprint: one client
 * (and connection pool) per thumbprint, all closed with the scope. A value that is not a
 * thumbprint is `Unavailable` (`not-configured`), and the message does not quote it: a misplaced
 * secret must not end up in a log.
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import * as Effect from "effect/Effect"
 * import { CertificatePinning } from "@managed-identity/core"
 * import { NodeCertificatePinning } from "@managed-identity/node-shared"
 *
 * const client = Effect.scoped(
 *   Effect.flatMap(CertificatePinning.make(NodeCertificatePinning.pinnedClient()), (pinning) =>
 *     pinning.client("0123456789ABCDEF0123456789ABCDEF01234567")
 *   )
 * )
 * ```
 */
export const make = (
  pinnedClient: (thumbprint: string) => PinnedClient
): Effect.Effect<Context.Tag.Service<CertificatePinning>, never, Scope.Scope> =>
  Effect.gen(function* () {
    const clients = new Map<string, PinnedClient>()
    yield* Effect.addFinalizer(() =>
      Effect.sync(() => {
        for (const entry of clients.values()) entry.close()
        clients.clear()
      })
    )
    const client = (thumbprint: string): Effect.Effect<HttpTransportService, Unavailable> =>
      Effect.suspend(() => {
        const normalized = normalizeThumbprint(thumbprint)
        if (normalized === undefined) {
          return Effect.fail(
            new Unavailable({
              source: "ServiceFabric",
              reason: "not-configured",
              message:
                "ServiceFabric: IDENTITY_SERVER_THUMBPRINT is not a certificate thumbprint (40 or 64 hex digits)",
              attempts: 0,
              elapsedMs: 0
            })
          )
        }
        let entry = clients.get(normalized)
        if (entry === undefined) {
          entry = pinnedClient(normalized)
          clients.set(normalized, entry)
        }
        return Effect.succeed(entry.client)
      })
    return CertificatePinning.of({ client })
  })

/**
 * The layer of `make`.
 *
 * @since 0.1.0
 * @category layers
 * @example
 * ```ts
 * import { CertificatePinning } from "@managed-identity/core"
 * import { PinnedHttpsTransport } from "@managed-identity/node-shared"
 * import * as https from "node:https"
 * import * as net from "node:net"
 * import * as tls from "node:tls"
 *
 * const Pinning = CertificatePinning.layer(PinnedHttpsTransport.make({ https, tls, net }))
 * ```
 */
export const layer = (pinnedClient: (thumbprint: string) => PinnedClient): Layer.Layer<CertificatePinning> =>
  Layer.scoped(CertificatePinning, make(pinnedClient))
