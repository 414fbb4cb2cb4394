/**
 * `@managed-identity/bun/effect` — the Effect API of the Bun adapter: layers over your program's
 * own `effect` (never a copy of it), for `Effect.gen` code and `Layer` composition.
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
