/**
 * `@managed-identity/deno/effect` — the Effect API of the Deno adapter: layers over your program's
 * own `effect` (never a copy of it), for `Effect.gen` code and `Layer` composition.
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
