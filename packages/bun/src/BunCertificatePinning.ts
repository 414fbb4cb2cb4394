/**
 * Certificate pinning for Service Fabric on Bun: core's `CertificatePinning` service, giving for a
 * thumbprint an `HttpClient` that accepts exactly the server certificate with that SHA-1 (or
 * SHA-256) fingerprint, self-signed or not. Bun's `fetch` cannot do this: its
 * `tls.checkServerIdentity` is not called once `rejectUnauthorized` is off, and with it on a
 * self-signed certificate fails before the check (both verified in Bun 1.4.5). So pinned requests
 * go through Bun's `node:https`, whose TLS socket shows the peer certificate: it is checked before
 * a byte of the request (and so the `secret` header) is written.
 *
 * @since 0.1.0
 */
import { CertificatePinning, ManagedIdentityError } from "@managed-identity/core"
import type * as HttpClient from "@effect/platform/HttpClient"
import type * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import * as pinned from "./internal/pinnedClient.js"

/**
 * The connection failed the pin: `reason` is `mismatch` (another certificate) or `not-tls` (plain
 * HTTP). It is the `cause` of the request's transport error.
 *
 * @since 0.1.0
 * @category errors
 * @example
 * ```ts
 * import { BunCertificatePinning } from "@managed-identity/bun"
 *
 * const isMismatch = (u: unknown) =>
 *   u instanceof BunCertificatePinning.CertificatePinError && u.reason === "mismatch"
 * ```
 */
export const CertificatePinError: typeof pinned.CertificatePinError = pinned.CertificatePinError

/**
 * The pin error's instance type.
 *
 * @since 0.1.0
 * @category errors
 */
export type CertificatePinError = pinned.CertificatePinError

/**
 * Builds the pinning service: one client (and connection pool) per normalized thumbprint, all
 * closed with the scope.
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import * as Effect from "effect/Effect"
 * import { BunCertificatePinning } from "@managed-identity/bun"
 *
 * const client = Effect.scoped(
 *   Effect.flatMap(BunCertificatePinning.make, (pinning) => pinning.client("0123456789ABCDEF0123456789ABCDEF01234567"))
 * )
 * ```
 */
export const make: Effect.Effect<
  Context.Tag.Service<CertificatePinning.CertificatePinning>,
  never,
  Scope.Scope
> = Effect.gen(function* () {
  const clients = new Map<string, ReturnType<typeof pinned.make>>()
  yield* Effect.addFinalizer(() =>
    Effect.sync(() => {
      for (const entry of clients.values()) entry.close()
      clients.clear()
    })
  )
  const client = (thumbprint: string): Effect.Effect<HttpClient.HttpClient, ManagedIdentityError.Unavailable> =>
    Effect.suspend(() => {
      const normalized = CertificatePinning.normalizeThumbprint(thumbprint)
      if (normalized === undefined) {
        return Effect.fail(
          new ManagedIdentityError.Unavailable({
            source: "ServiceFabric",
            reason: "not-configured",
            // The value is not quoted: a misplaced secret must not end up in a log.
            message: "ServiceFabric: IDENTITY_SERVER_THUMBPRINT is not a certificate thumbprint (40 or 64 hex digits)",
            attempts: 0,
            elapsedMs: 0
          })
        )
      }
      let entry = clients.get(normalized)
      if (entry === undefined) {
        entry = pinned.make(normalized)
        clients.set(normalized, entry)
      }
      return Effect.succeed(entry.client)
    })
  return CertificatePinning.CertificatePinning.of({ client })
})

/**
 * A layer providing core's `CertificatePinning` on Bun.
 *
 * @since 0.1.0
 * @category layers
 * @example
 * ```ts
 * import * as Effect from "effect/Effect"
 * import { CertificatePinning } from "@managed-identity/core"
 * import { BunCertificatePinning } from "@managed-identity/bun"
 *
 * const program = Effect.flatMap(CertificatePinning.CertificatePinning, (pinning) =>
 *   pinning.client("0123456789ABCDEF0123456789ABCDEF01234567")
 * )
 * Effect.runPromise(Effect.scoped(Effect.provide(program, BunCertificatePinning.layer)))
 * ```
 */
export const layer: Layer.Layer<CertificatePinning.CertificatePinning> = Layer.scoped(
  CertificatePinning.CertificatePinning,
  make
)
