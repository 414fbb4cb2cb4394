/**
 * `ManagedIdentityCredential` for edge runtimes: the `@azure/core-auth` `TokenCredential` every
 * Azure SDK client accepts, with the environment passed in. It is the package's root
 * (`@managed-identity/edge`) and loads no Effect runtime: IMDS, App Service, Azure ML and Cloud
 * Shell are served over `fetch` with core's protocol, retry policy, circuit breaker and cache; the
 * sources an edge runtime cannot serve (a file to read, a certificate to pin) are refused with the
 * reason. Every credential of one configuration in the isolate shares one token cache, so one built
 * per request costs no request once a token is cached.
 *
 * @since 0.1.0
 */
import type { Variables } from "@managed-identity/core/Environment"
import * as TokenCredential from "@managed-identity/core/TokenCredential"
import type * as EdgeManagedIdentity from "./EdgeManagedIdentity.js"
import { NO_CERTIFICATE_PINNING, NO_FILE_SYSTEM } from "./internal/capabilities.js"

/**
 * Options: `env` (Worker bindings or any record of variables), `@azure/identity`'s (`clientId`,
 * `objectId`, `resourceId`, `retryOptions`), `retry`, and `managedIdentity` (every core setting).
 *
 * @since 0.1.0
 * @category models
 */
export interface ManagedIdentityCredentialOptions extends TokenCredential.ManagedIdentityCredentialOptions<Settings> {
  /** The variables: edge runtimes have no `process.env`. */
  readonly env: Readonly<Record<string, unknown>>
}

/**
 * The settings under `managedIdentity`: every core setting, plus the `fetch` to use.
 *
 * @since 0.1.0
 * @category models
 */
export type Settings = Omit<EdgeManagedIdentity.Options, "identity" | "env">

/**
 * Gets tokens from the managed identity the environment points at; use it with any Azure SDK client.
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import { ManagedIdentityCredential } from "@managed-identity/edge"
 *
 * let credential: ManagedIdentityCredential | undefined
 *
 * export default {
 *   async fetch(_request: Request, env: Record<string, unknown>) {
 *     credential ??= new ManagedIdentityCredential({ env })
 *     const { expiresOnTimestamp } = await credential.getToken("https://vault.azure.net/.default")
 *     return new Response(`token valid until ${new Date(expiresOnTimestamp).toISOString()}`)
 *   }
 * }
 * ```
 */
export class ManagedIdentityCredential extends TokenCredential.ManagedIdentityTokenCredential<Settings> {
  constructor(options: ManagedIdentityCredentialOptions)
  constructor(clientId: string, options: ManagedIdentityCredentialOptions)
  constructor(
    clientIdOrOptions: string | ManagedIdentityCredentialOptions,
    options?: ManagedIdentityCredentialOptions
  ) {
    const given =
      typeof clientIdOrOptions === "string" ? { ...options, clientId: clientIdOrOptions } : clientIdOrOptions
    const env = given?.env ?? {}
    super(given ?? {}, runtimeFor(env))
  }
}

// No engine: nothing an edge runtime can serve needs one, and its Effect runtime would weigh more
// than all the rest of a Worker's bundle. `onRetry` (an Effect) is refused with the reason.
const runtimeFor = (env: Readonly<Record<string, unknown>>): TokenCredential.Runtime<Settings> => ({
  name: "edge",
  // Only the managed-identity variables are read from the bindings, and only those that are text.
  environment: () => ({ variables: env as Variables, platform: "posix" }),
  send: (config) => {
    const custom = config.fetch
    return TokenCredential.fetchSend(
      custom === undefined ? (input, init) => globalThis.fetch(input, init) : (input, init) => custom(input, init)
    )
  },
  lacks: { fileSystem: NO_FILE_SYSTEM, certificatePinning: NO_CERTIFICATE_PINNING }
})

export {
  AbortError,
  AuthenticationError,
  CredentialUnavailableError,
  InvalidArgumentError
} from "@managed-identity/core/TokenCredential"
