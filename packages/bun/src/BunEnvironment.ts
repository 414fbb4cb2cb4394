/**
 * The environment from `Bun.env`, as core's `Environment` service.
 *
 * @since 0.1.0
 */
import { Environment, ManagedIdentityError } from "@managed-identity/core"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"

/**
 * A layer reading the variables from `Bun.env` once, when it is built. Outside Bun it fails
 * with an `InvalidArgument` that says so, instead of silently seeing no variables.
 *
 * @since 0.1.0
 * @category layers
 * @example
 * ```ts
 * import { BunEnvironment } from "@managed-identity/bun"
 *
 * const EnvLive = BunEnvironment.layer
 * ```
 */
export const layer: Layer.Layer<Environment.Environment, ManagedIdentityError.InvalidArgument> = Layer.effect(
  Environment.Environment,
  Effect.suspend(() => {
    const runtime = (globalThis as any).Bun
    const variables: Record<string, string | undefined> | undefined = runtime?.env
    if (variables === undefined) {
      return Effect.fail(
        new ManagedIdentityError.InvalidArgument({
          argument: "runtime",
          message: "@managed-identity/bun must run under Bun (Bun.env is not available); use the adapter for your runtime"
        })
      )
    }
    const windows = (globalThis as any).process?.platform === "win32"
    return Effect.succeed(Environment.make(variables, windows ? "windows" : "posix"))
  })
)
