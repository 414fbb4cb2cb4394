/**
 * `ManagedIdentityCredential` for Deno: the `@azure/core-auth` `TokenCredential` every Azure SDK
 * client accepts, backed by the core's cache, retry policy and circuit breaker.
 *
 * @since 0.1.0
 */
import * as TokenCredential from "@managed-identity/core/TokenCredential"
import * as DenoManagedIdentity from "./DenoManagedIdentity.js"

/**
 * Options: `@azure/identity`'s (`clientId`, `objectId`, `resourceId`, `retryOptions`) plus `retry` and
 * `managedIdentity` (every core setting).
 *
 * @since 0.1.0
 * @category models
 */
export interface ManagedIdentityCredentialOptions
  extends Omit<TokenCredential.ManagedIdentityCredentialOptions, "managedIdentity"> {
  /** Any core setting, plus `connectTimeout`, and `environment` instead of `Deno.env`. */
  readonly managedIdentity?: Omit<DenoManagedIdentity.Options, "identity"> | undefined
}

/**
 * Gets tokens from the host's managed identity; use it with any Azure SDK client.
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import { ManagedIdentityCredential } from "@managed-identity/deno"
 *
 * const credential = new ManagedIdentityCredential({ clientId: "00000000-0000-0000-0000-000000000001" })
 * const { token, expiresOnTimestamp } = await credential.getToken("https://management.azure.com/.default")
 * // new SecretClient("https://myvault.vault.azure.net", credential)
 * ```
 */
export class ManagedIdentityCredential extends TokenCredential.ManagedIdentityTokenCredential {
  constructor(
    clientIdOrOptions?: string | ManagedIdentityCredentialOptions,
    options?: ManagedIdentityCredentialOptions
  ) {
    super(
      TokenCredential.normalizeArguments(
        clientIdOrOptions,
        options
      ) as TokenCredential.ManagedIdentityCredentialOptions,
      // `managedIdentity` is spread into the config, so Deno's own options arrive here too.
      (config) => DenoManagedIdentity.layer(config as DenoManagedIdentity.Options)
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
   * No managed-identity endpoint here (or Deno may not reach it); chains move on.
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
