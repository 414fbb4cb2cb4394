/**
 * The environment from `Deno.env`, as core's `Environment` service.
 *
 * @since 0.1.0
 */
import { Environment, ManagedIdentityError } from "@managed-identity/core"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"

/**
 * A layer reading the variables from `Deno.env` once, when it is built. Outside Deno it fails
 * with an `InvalidArgument` that says so, instead of silently seeing no variables.
 *
 * @since 0.1.0
 * @category layers
 * @example
 * ```ts
 * import { DenoEnvironment } from "@managed-identity/deno"
 *
 * const EnvLive = DenoEnvironment.layer
 * ```
 */
export const layer: Layer.Layer<Environment.Environment, ManagedIdentityError.InvalidArgument> = Layer.effect(
  Environment.Environment,
  Effect.suspend(() => {
    const runtime = (globalThis as any).Deno
    const variables: Record<string, string | undefined> | undefined = runtime?.env?.toObject?.()
    if (variables === undefined) {
      return Effect.fail(
        new ManagedIdentityError.InvalidArgument({
          argument: "runtime",
          message: "@managed-identity/deno must run under Deno (Deno.env is not available); use the adapter for your runtime"
        })
      )
    }
    const windows = runtime.build?.os === "windows"
    return Effect.succeed(Environment.make(variables, windows ? "windows" : "posix"))
  })
)
