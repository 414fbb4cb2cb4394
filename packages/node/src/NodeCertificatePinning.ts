/**
 * Certificate pinning for Service Fabric on Node: core's `CertificatePinning` service, giving for
 * a thumbprint an `HttpClient` whose TLS accepts exactly the server certificate with that SHA-1 or
 * SHA-256 fingerprint. A wrong certificate fails the connection before any request byte (and so
 * the `secret` header) is sent.
 *
 * @since 0.1.0
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import { CertificatePinning, ManagedIdentityError } from "@managed-identity/core"
import type * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import type * as Undici from "undici"
import * as pin from "./internal/certificatePin.js"
import * as transport from "./internal/transport.js"
import type { Options as HttpClientOptions } from "./NodeHttpClient.js"

/**
 * How pinned clients connect (everything `NodeHttpClient` takes except what pinning decides).
 *
 * @since 0.1.0
 * @category models
 */
export type Options = Omit<HttpClientOptions, "ca" | "pinnedThumbprint">

/**
 * The error code, found in the cause chain of a failed request, when the server's certificate
 * does not match the pin, the thumbprint is not hex, or the URL is not HTTPS.
 *
 * @since 0.1.0
 * @category errors
 * @example
 * ```ts
 * import { NodeCertificatePinning } from "@managed-identity/node"
 *
 * const isPinFailure = (cause: unknown) =>
 *   (cause as { code?: string } | undefined)?.code === NodeCertificatePinning.errorCode
 * ```
 */
export const errorCode: typeof pin.pinErrorCode = pin.pinErrorCode

/**
 * The connection failed the pin: `reason` is `mismatch` (another certificate), `not-tls` (plain
 * HTTP) or `invalid-thumbprint`. Thumbprints are public, so the message names both.
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
export const CertificatePinError: typeof pin.CertificatePinError = pin.CertificatePinError

/**
 * The pin error's instance type.
 *
 * @since 0.1.0
 * @category errors
 */
export type CertificatePinError = pin.CertificatePinError

/**
 * Whether a server certificate (as `tls.TLSSocket#getPeerCertificate` returns it) matches a
 * thumbprint; `undefined` when it does, the error otherwise.
 *
 * @since 0.1.0
 * @category utils
 * @example
 * ```ts
 * import { NodeCertificatePinning } from "@managed-identity/node"
 *
 * const certificate = { fingerprint: "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01" }
 * NodeCertificatePinning.verify("127.0.0.1:2377", "abcdef0123456789abcdef0123456789abcdef01", certificate) // undefined
 * ```
 */
export const verify = (
  host: string,
  thumbprint: string,
  certificate: { readonly fingerprint?: string; readonly fingerprint256?: string } | undefined
): CertificatePinError | undefined => {
  const expected = CertificatePinning.normalizeThumbprint(thumbprint)
  return expected === undefined
    ? new pin.CertificatePinError({
        code: pin.pinErrorCode,
        reason: "invalid-thumbprint",
        host,
        expected: undefined,
        actual: undefined,
        message: "certificate pinning: the thumbprint is not 40 (SHA-1) or 64 (SHA-256) hex digits"
      })
    : pin.verifyPeer(host, expected, certificate)
}

/**
 * Builds the pinning service: one client (and connection pool) per normalized thumbprint, all
 * closed with the scope. Thumbprints come from configuration, so the cache stays tiny.
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
  Effect.gen(function* () {
    // undici (for its custom TLS connector) is loaded by the first pinned client, not when the layer
    // is built: only Service Fabric pins, and every other program would pay its load time.
    const loaded = yield* Effect.cached(Effect.zip(transport.loadUndici, transport.fetchClient))
    const clients = new Map<string, HttpClient.HttpClient>()
    const agents: Array<Undici.Agent> = []
    yield* Effect.addFinalizer(() => Effect.forEach(agents, transport.releaseAgent, { discard: true }))
    const client = (thumbprint: string): Effect.Effect<HttpClient.HttpClient, ManagedIdentityError.Unavailable> =>
      Effect.suspend(() => {
        const normalized = CertificatePinning.normalizeThumbprint(thumbprint)
        if (normalized === undefined) {
          return Effect.fail(
            new ManagedIdentityError.Unavailable({
              source: "ServiceFabric",
              reason: "not-configured",
              // The value is not quoted: a misplaced secret must not end up in a log.
              message:
                "ServiceFabric: IDENTITY_SERVER_THUMBPRINT is not a certificate thumbprint (40 or 64 hex digits)",
              attempts: 0,
              elapsedMs: 0
            })
          )
        }
        const cached = clients.get(normalized)
        if (cached !== undefined) return Effect.succeed(cached)
        return Effect.map(loaded, ([undici, base]) => {
          // Synchronous from lookup to insert, so concurrent callers share one pool.
          const existing = clients.get(normalized)
          if (existing !== undefined) return existing
          const agent = transport.makeAgent(undici, { ...options, pinnedThumbprint: normalized })
          agents.push(agent)
          const created = transport.withAgent(base, undici, agent)
          clients.set(normalized, created)
          return created
        })
      })
    return CertificatePinning.CertificatePinning.of({ client })
  })

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
export const layer: Layer.Layer<CertificatePinning.CertificatePinning> = Layer.scoped(
  CertificatePinning.CertificatePinning,
  make()
)

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
  Layer.scoped(CertificatePinning.CertificatePinning, make(options))
