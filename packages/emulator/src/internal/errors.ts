// Defined here, not in the public `Emulator` module that re-exports it, so the internal modules
// can raise it without importing the module that imports them.

/**
 * Invalid emulator options (a non-loopback host, a bad port, a bad identity or fault spec).
 *
 * @since 0.1.0
 * @category errors
 * @example
 * ```ts
 * import { Emulator } from "@managed-identity/emulator"
 *
 * Emulator.start({ host: "0.0.0.0" }).catch((error) => {
 *   if (error instanceof Emulator.EmulatorOptionsError) console.error(error.message)
 * })
 * ```
 */
export class EmulatorOptionsError extends Error {
  constructor(message: string) {
    super(message)
    this.name = "EmulatorOptionsError"
  }
}
