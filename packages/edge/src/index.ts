/**
 * @managed-identity/edge — Azure Managed Identity on Cloudflare Workers, Vercel Edge, Deno Deploy
 * and Netlify Edge: fetch only, the environment passed in.
 *
 * @since 0.1.0
 */

/** @since 0.1.0 */
export * as EdgeEnvironment from "./EdgeEnvironment.js"
/** @since 0.1.0 */
export * as EdgeHttpTransport from "./EdgeHttpTransport.js"
/** @since 0.1.0 */
export * as EdgeManagedIdentity from "./EdgeManagedIdentity.js"
/** @since 0.1.0 */
export {
  AbortError,
  AuthenticationError,
  CredentialUnavailableError,
  InvalidArgumentError,
  ManagedIdentityCredential,
  type ManagedIdentityCredentialOptions
} from "./ManagedIdentityCredential.js"
