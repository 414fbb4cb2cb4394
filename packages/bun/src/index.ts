/**
 * @managed-identity/bun — Azure Managed Identity tokens for Bun.
 *
 * The root is the Promise API: `ManagedIdentityCredential`, the `TokenCredential` every Azure SDK
 * client accepts. It loads no Effect module at import. The Effect API (layers for your own `effect`)
 * is `@managed-identity/bun/effect`, and each of its modules has its own subpath
 * (`@managed-identity/bun/BunManagedIdentity`, ...).
 *
 * @since 0.1.0
 */

/** @since 0.1.0 */
export {
  AbortError,
  AuthenticationError,
  CredentialUnavailableError,
  InvalidArgumentError,
  ManagedIdentityCredential,
  type ManagedIdentityCredentialOptions,
  type Settings
} from "./ManagedIdentityCredential.js"
