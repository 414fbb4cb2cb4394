/**
 * `ManagedIdentityCredential` for edge runtimes: the `@azure/core-auth` `TokenCredential` every
 * Azure SDK client accepts, with the environment passed in. Create one per isolate, at module scope
 * (or lazily on the first request), so its token cache serves every request of the isolate.
 *
 * @since 0.1.0
 */
import * as TokenCredential from "@managed-identity/core/TokenCredential"
import * as EdgeManagedIdentity from "./EdgeManagedIdentity.js"

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
    super(given ?? {}, (config) => EdgeManagedIdentity.layer({ ...config, env }))
  }
}

export {
  AbortError,
  AuthenticationError,
  CredentialUnavailableError,
  InvalidArgumentError
} from "@managed-identity/core/TokenCredential"
