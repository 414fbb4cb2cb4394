/**
 * `@managed-identity/node/effect` — the Effect API of the Node adapter: layers over your program's
 * own `effect` (never a copy of it), for `Effect.gen` code and `Layer` composition.
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
