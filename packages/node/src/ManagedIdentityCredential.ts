/**
 * `ManagedIdentityCredential` for Node: the `@azure/core-auth` `TokenCredential` every Azure SDK
 * client accepts, backed by the core's cache, retry policy and circuit breaker. It is the package's
 * root (`@managed-identity/node`), pre-bundled: importing it loads no Effect module, the first token
 * is one plain `node:http` request, and every credential of one configuration in the process shares
 * one token cache. IMDS, App Service and Functions, Azure ML and Cloud Shell (retries, refresh-ahead and claims
 * included) are served without the Effect runtime; the Effect engine loads for workload identity,
 * Azure Arc and Service Fabric, the first time one is used.
 *
 * @since 0.1.0
 */
import * as TokenCredential from "@managed-identity/core/TokenCredential"
import { runtime } from "./internal/credentialRuntime.js"
import type * as NodeManagedIdentity from "./NodeManagedIdentity.js"

/**
 * The settings under `managedIdentity`: every core setting, plus Node's own (`connectTimeout`, and
 * `environment` instead of `process.env`).
 *
 * @since 0.1.0
 * @category models
 */
export type Settings = Omit<NodeManagedIdentity.Options, "identity">

/**
 * Options: `@azure/identity`'s (`clientId`, `objectId`, `resourceId`, `retryOptions`) plus `retry` and
 * `managedIdentity` (every core setting and Node's own).
 *
 * @since 0.1.0
 * @category models
 */
export interface ManagedIdentityCredentialOptions extends TokenCredential.ManagedIdentityCredentialOptions<Settings> {}

/**
 * Gets tokens from the host's managed identity; use it with any Azure SDK client.
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import { ManagedIdentityCredential } from "@managed-identity/node"
 *
 * const credential = new ManagedIdentityCredential({ clientId: "00000000-0000-0000-0000-000000000001" })
 * const { token, expiresOnTimestamp } = await credential.getToken("https://management.azure.com/.default")
 * // new SecretClient("https://myvault.vault.azure.net", credential)
 * ```
 */
export class ManagedIdentityCredential extends TokenCredential.ManagedIdentityTokenCredential<Settings> {
  constructor(
    clientIdOrOptions?: string | ManagedIdentityCredentialOptions,
    options?: ManagedIdentityCredentialOptions
  ) {
    super(TokenCredential.normalizeArguments(clientIdOrOptions, options), runtime)
  }
}

export {
  AbortError,
  AuthenticationError,
  CredentialUnavailableError,
  InvalidArgumentError
} from "@managed-identity/core/TokenCredential"
