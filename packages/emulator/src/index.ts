/**
 * `@managed-identity/emulator`: a real managed-identity server for development and tests.
 *
 * @since 0.1.0
 */

/**
 * Starting an emulator and everything a running one offers.
 *
 * @since 0.1.0
 */
export * as Emulator from "./Emulator.js"

/**
 * Faults and their compact syntax.
 *
 * @since 0.1.0
 */
export * as Fault from "./Fault.js"

/**
 * The `managed-identity-emulator` command.
 *
 * @since 0.1.0
 */
export * as Cli from "./Cli.js"
/** @since 0.1.0 */
export * as ArmStandIn from "./ArmStandIn.js"
