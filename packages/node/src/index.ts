/**
 * @managed-identity/node — the Node.js adapter for @managed-identity/core.
 *
 * @since 0.1.0
 */

/** @since 0.1.0 */
export * as NodeCertificatePinning from "./NodeCertificatePinning.js"
/** @since 0.1.0 */
export * as NodeEnvironment from "./NodeEnvironment.js"
/** @since 0.1.0 */
export * as NodeFileReader from "./NodeFileReader.js"
/** @since 0.1.0 */
export * as NodeHttpTransport from "./NodeHttpTransport.js"
/** @since 0.1.0 */
export * as NodeManagedIdentity from "./NodeManagedIdentity.js"
/** @since 0.1.0 */
export {
  AbortError,
  AuthenticationError,
  CredentialUnavailableError,
  InvalidArgumentError,
  ManagedIdentityCredential,
  type ManagedIdentityCredentialOptions
} from "./ManagedIdentityCredential.js"
