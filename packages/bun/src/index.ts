/**
 * @managed-identity/bun — Azure Managed Identity on Bun.
 *
 * @since 0.1.0
 */

/** @since 0.1.0 */
export * as BunEnvironment from "./BunEnvironment.js"
