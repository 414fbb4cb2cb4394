/**
 * @managed-identity/deno — Azure Managed Identity on Deno.
 *
 * @since 0.1.0
 */

/** @since 0.1.0 */
export * as DenoEnvironment from "./DenoEnvironment.js"
