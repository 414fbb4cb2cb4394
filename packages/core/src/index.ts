/**
 * @managed-identity/core — the pure, Effect-based protocol core for Azure Managed Identity.
 *
 * @since 0.1.0
 */

/** @since 0.1.0 */
export * as AccessToken from "./AccessToken.js"
/** @since 0.1.0 */
export * as CertificatePinning from "./CertificatePinning.js"
/** @since 0.1.0 */
export * as CredentialEngine from "./CredentialEngine.js"
/** @since 0.1.0 */
export * as DisplayText from "./DisplayText.js"
/** @since 0.1.0 */
export * as Environment from "./Environment.js"
/** @since 0.1.0 */
export * as FetchTransport from "./FetchTransport.js"
/** @since 0.1.0 */
export * as HttpRequest from "./HttpRequest.js"
/** @since 0.1.0 */
export * as HttpTransport from "./HttpTransport.js"
/** @since 0.1.0 */
export * as HttpClientTransport from "./HttpClientTransport.js"
/** @since 0.1.0 */
export * as FileReader from "./FileReader.js"
/** @since 0.1.0 */
export * as Identity from "./Identity.js"
/** @since 0.1.0 */
export * as ManagedIdentityError from "./ManagedIdentityError.js"
/** @since 0.1.0 */
export * as Resource from "./Resource.js"
/** @since 0.1.0 */
export * as SourceName from "./SourceName.js"
/** @since 0.1.0 */
export * as CircuitBreaker from "./CircuitBreaker.js"
/** @since 0.1.0 */
export * as RetryPolicy from "./RetryPolicy.js"
/** @since 0.1.0 */
export * as Telemetry from "./Telemetry.js"
/** @since 0.1.0 */
export * as TokenCache from "./TokenCache.js"
/** @since 0.1.0 */
export * as AppServiceSource from "./AppServiceSource.js"
/** @since 0.1.0 */
export * as AzureArcSource from "./AzureArcSource.js"
/** @since 0.1.0 */
export * as AzureMlSource from "./AzureMlSource.js"
/** @since 0.1.0 */
export * as Classification from "./Classification.js"
/** @since 0.1.0 */
export * as CloudShellSource from "./CloudShellSource.js"
/** @since 0.1.0 */
export * as Diagnostics from "./Diagnostics.js"
/** @since 0.1.0 */
export * as ImdsSource from "./ImdsSource.js"
/** @since 0.1.0 */
export * as ServiceFabricSource from "./ServiceFabricSource.js"
/** @since 0.1.0 */
export * as Source from "./Source.js"
/** @since 0.1.0 */
export * as SourceCatalog from "./SourceCatalog.js"
/** @since 0.1.0 */
export * as TokenResponse from "./TokenResponse.js"
/** @since 0.1.0 */
export * as WorkloadIdentitySource from "./WorkloadIdentitySource.js"
/** @since 0.1.0 */
export * as Chain from "./Chain.js"
/** @since 0.1.0 */
export * as ManagedIdentity from "./ManagedIdentity.js"
/** @since 0.1.0 */
export * as TokenCredential from "./TokenCredential.js"
/** @since 0.1.0 */
export * as SourceRequirements from "./SourceRequirements.js"
