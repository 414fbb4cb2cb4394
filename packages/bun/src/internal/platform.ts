/**
 * The platform, as core's `Environment.Platform`: shared by the Effect API's `BunEnvironment` and
 * the Promise API (which loads no Effect module).
 *
 * @internal
 */
import type { Platform } from "@managed-identity/core/Environment"

/** @internal */
export const platform = (): Platform =>
  (globalThis as { process?: { platform?: string } }).process?.platform === "win32" ? "windows" : "posix"
