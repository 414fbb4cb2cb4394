/**
 * `@managed-identity/edge/effect` — the Effect API of the edge adapter: layers over your program's
 * own `effect` (never a copy of it), for `Effect.gen` code and `Layer` composition.
 *
 * @since 0.1.0
 */

/** @since 0.1.0 */
export * as EdgeEnvironment from "./EdgeEnvironment.js"
/** @since 0.1.0 */
export * as EdgeHttpTransport from "./EdgeHttpTransport.js"
/** @since 0.1.0 */
export * as EdgeManagedIdentity from "./EdgeManagedIdentity.js"
