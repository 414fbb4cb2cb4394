/**
 * @managed-identity/bun — Azure Managed Identity on Bun.
 *
 * @since 0.1.0
 */

/** @since 0.1.0 */
export * as BunCertificatePinning from "./BunCertificatePinning.js"
/** @since 0.1.0 */
export * as BunEnvironment from "./BunEnvironment.js"
/** @since 0.1.0 */
export * as BunFileReader from "./BunFileReader.js"
/** @since 0.1.0 */
export * as BunHttpTransport from "./BunHttpTransport.js"
/** @since 0.1.0 */
export * as BunManagedIdentity from "./BunManagedIdentity.js"
/** @since 0.1.0 */
export {
  AbortError,
  AuthenticationError,
  CredentialUnavailableError,
  InvalidArgumentError,
  ManagedIdentityCredential,
  type ManagedIdentityCredentialOptions
} from "./ManagedIdentityCredential.js"
