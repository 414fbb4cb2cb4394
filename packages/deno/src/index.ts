/**
 * @managed-identity/deno — Azure Managed Identity on Deno.
 *
 * @since 0.1.0
 */

/** @since 0.1.0 */
export * as DenoCertificatePinning from "./DenoCertificatePinning.js"
/** @since 0.1.0 */
export * as DenoEnvironment from "./DenoEnvironment.js"
/** @since 0.1.0 */
export * as DenoFileReader from "./DenoFileReader.js"
/** @since 0.1.0 */
export * as DenoHttpTransport from "./DenoHttpTransport.js"
/** @since 0.1.0 */
export * as DenoManagedIdentity from "./DenoManagedIdentity.js"
/** @since 0.1.0 */
export {
  AbortError,
  AuthenticationError,
  CredentialUnavailableError,
  InvalidArgumentError,
  ManagedIdentityCredential,
  type ManagedIdentityCredentialOptions
} from "./ManagedIdentityCredential.js"
