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
export interface ManagedIdentityCredentialOptions
  extends Omit<TokenCredential.ManagedIdentityCredentialOptions, "managedIdentity"> {
  /** The variables: edge runtimes have no `process.env`. */
  readonly env: Readonly<Record<string, unknown>>
  /** Any core setting, plus the `fetch` to use. */
  readonly managedIdentity?: Omit<EdgeManagedIdentity.Options, "identity" | "env"> | undefined
}

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
export class ManagedIdentityCredential extends TokenCredential.ManagedIdentityTokenCredential {
  constructor(options: ManagedIdentityCredentialOptions)
  constructor(clientId: string, options: ManagedIdentityCredentialOptions)
  constructor(
    clientIdOrOptions: string | ManagedIdentityCredentialOptions,
    options?: ManagedIdentityCredentialOptions
  ) {
    const normalized = TokenCredential.normalizeArguments(
      clientIdOrOptions,
      options
    ) as ManagedIdentityCredentialOptions
    const env = normalized.env ?? {}
    super(
      normalized as TokenCredential.ManagedIdentityCredentialOptions,
      // `managedIdentity` is spread into the config, so the edge options (`fetch`) arrive here too.
      (config) => EdgeManagedIdentity.layer({ ...(config as Omit<EdgeManagedIdentity.Options, "env">), env })
    )
  }
}

export {
  /**
   * The abort signal fired before a token arrived.
   *
   * @since 0.1.0
   */
  AbortError,
  /**
   * The endpoint answered without a token.
   *
   * @since 0.1.0
   */
  AuthenticationError,
  /**
   * No managed-identity endpoint here, or the source needs what edge runtimes lack; chains move on.
   *
   * @since 0.1.0
   */
  CredentialUnavailableError,
  /**
   * The caller's input is wrong.
   *
   * @since 0.1.0
   */
  InvalidArgumentError
} from "@managed-identity/core/TokenCredential"
