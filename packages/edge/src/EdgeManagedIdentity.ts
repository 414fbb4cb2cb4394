/**
 * The managed-identity service on edge runtimes (Cloudflare Workers, Vercel Edge, Deno Deploy,
 * Netlify Edge): core's `ManagedIdentity` over `fetch` only, with the environment passed in
 * (Worker bindings, or any record of variables). There is no file system, so sources that read a
 * file (workload identity's token file, Azure Arc's key file) are `Unavailable` with the reason
 * before any request; and no certificate pinning, so Service Fabric is `Unavailable` the same way.
 *
 * Tokens are cached per isolate: build one layer (or one credential) per isolate, at module scope,
 * and every request served by that isolate shares its cache.
 *
 * @since 0.1.0
 */
import * as CertificatePinning from "@managed-identity/core/CertificatePinning"
import * as FileReader from "@managed-identity/core/FileReader"
import * as ManagedIdentity from "@managed-identity/core/ManagedIdentity"
import type { ManagedIdentityError } from "@managed-identity/core/ManagedIdentityError"
import * as Layer from "effect/Layer"
import * as EdgeEnvironment from "./EdgeEnvironment.js"
import * as EdgeHttpTransport from "./EdgeHttpTransport.js"
import * as capabilities from "./internal/capabilities.js"

/**
 * Why sources that read a file cannot be used here.
 *
 * @since 0.1.0
 * @category constants
 */
export const noFileSystem: string = capabilities.NO_FILE_SYSTEM

/**
 * Why Service Fabric cannot be used here.
 *
 * @since 0.1.0
 * @category constants
 */
export const noCertificatePinning: string = capabilities.NO_CERTIFICATE_PINNING

/**
 * Options: every core setting, plus the environment and, optionally, the `fetch` to use.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options extends ManagedIdentity.Config {
  /** The variables (Worker bindings, or any record): edge runtimes have no `process.env`. */
  readonly env: Readonly<Record<string, unknown>>
  /** The `fetch` to use; default: the global one. */
  readonly fetch?: typeof globalThis.fetch | undefined
}

/**
 * The edge services core needs: `fetch`, the environment given, no file system and no pinning.
 *
 * @since 0.1.0
 * @category layers
 * @example
 * ```ts
 * import { EdgeManagedIdentity } from "@managed-identity/edge/effect"
 *
 * const EdgeServices = EdgeManagedIdentity.services({ env: { IDENTITY_ENDPOINT: "http://127.0.0.1:8081/msi/token" } })
 * ```
 */
export const services = (options: Pick<Options, "env" | "fetch">): Layer.Layer<ManagedIdentity.Requirements> =>
  Layer.mergeAll(
    EdgeHttpTransport.layer({ fetch: options.fetch }),
    EdgeEnvironment.layer(options.env),
    FileReader.layer(FileReader.unsupported(noFileSystem)),
    CertificatePinning.unsupported(noCertificatePinning)
  )

/**
 * The `ManagedIdentity` service on an edge runtime, for the environment given.
 *
 * @since 0.1.0
 * @category layers
 * @example
 * ```ts
 * import * as Effect from "effect/Effect"
 * import * as ManagedRuntime from "effect/ManagedRuntime"
 * import { ManagedIdentity } from "@managed-identity/core"
 * import { EdgeManagedIdentity } from "@managed-identity/edge/effect"
 *
 * let runtime: ManagedRuntime.ManagedRuntime<ManagedIdentity.ManagedIdentity, unknown> | undefined
 *
 * export default {
 *   async fetch(_request: Request, env: Record<string, unknown>) {
 *     // One runtime per isolate: every request it serves shares the token cache.
 *     runtime ??= ManagedRuntime.make(EdgeManagedIdentity.layer({ env }))
 *     const token = await runtime.runPromise(ManagedIdentity.getToken("https://vault.azure.net"))
 *     return new Response(`token expires at ${new Date(token.expiresOn).toISOString()}`)
 *   }
 * }
 * ```
 */
export const layer = (options: Options): Layer.Layer<ManagedIdentity.ManagedIdentity, ManagedIdentityError> => {
  const { env, fetch, ...config } = options
  return ManagedIdentity.layer(config).pipe(Layer.provide(services({ env, fetch })))
}
