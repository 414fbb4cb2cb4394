/**
 * @managed-identity/deno — Azure Managed Identity tokens for Deno.
 *
 * The root is the Promise API: `ManagedIdentityCredential`, the `TokenCredential` every Azure SDK
 * client accepts. It loads no Effect module at import. The Effect API (layers for your own `effect`)
 * is `@managed-identity/deno/effect`, and each of its modules has its own subpath
 * (`@managed-identity/deno/DenoManagedIdentity`, ...).
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
