/**
 * @managed-identity/edge — Azure Managed Identity tokens for edge runtimes (Cloudflare Workers,
 * Vercel Edge, Deno Deploy, Netlify Edge): `fetch` only.
 *
 * The root is the Promise API: `ManagedIdentityCredential`, the `TokenCredential` every Azure SDK
 * client accepts, which loads no Effect runtime. The Effect API (layers for your own `effect`) is
 * `@managed-identity/edge/effect`, and each of its modules has its own subpath
 * (`@managed-identity/edge/EdgeManagedIdentity`, ...).
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
