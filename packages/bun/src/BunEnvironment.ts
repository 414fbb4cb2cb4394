/**
 * Core's `Environment` on Bun: the variables of `Bun.env`, read once when the layer is built, and
 * the platform from `process.platform`.
 *
 * @since 0.1.0
 */
import * as Environment from "@managed-identity/core/Environment"
import type * as ManagedIdentityError from "@managed-identity/core/ManagedIdentityError"
import type * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as internal from "./internal/platform.js"
import { bun, notBun } from "./internal/runtime.js"

/**
 * The platform family Bun runs on: `windows` on Windows, `posix` everywhere else.
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import { BunEnvironment } from "@managed-identity/bun/effect"
 *
 * BunEnvironment.platform() // "posix" on Linux and macOS
 * ```
 */
export const platform: () => Environment.Platform = internal.platform

/**
 * Reads the variables from `Bun.env`; outside Bun it fails with an `InvalidArgument` that says so,
 * instead of silently seeing no variables.
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import * as Effect from "effect/Effect"
 * import { BunEnvironment } from "@managed-identity/bun/effect"
 *
 * const environment = Effect.runSync(BunEnvironment.make)
 * console.log(environment.variables.IDENTITY_ENDPOINT)
 * ```
 */
export const make: Effect.Effect<
  Context.Tag.Service<Environment.Environment>,
  ManagedIdentityError.InvalidArgument
> = Effect.suspend(() => {
  const runtime = bun()
  return runtime === undefined
    ? Effect.fail(notBun())
    : Effect.succeed(Environment.make({ ...runtime.env }, platform()))
})

/**
 * A layer providing the environment from `Bun.env`, snapshotted when the layer is built so a later
 * change cannot switch sources under a running program.
 *
 * @since 0.1.0
 * @category layers
 * @example
 * ```ts
 * import * as Effect from "effect/Effect"
 * import { Environment } from "@managed-identity/core"
 * import { BunEnvironment } from "@managed-identity/bun/effect"
 *
 * const endpoint = Effect.map(Environment.Environment, (env) => env.variables.IDENTITY_ENDPOINT)
 * Effect.runSync(Effect.provide(endpoint, BunEnvironment.layer))
 * ```
 */
export const layer: Layer.Layer<Environment.Environment, ManagedIdentityError.InvalidArgument> = Layer.effect(
  Environment.Environment,
  make
)

/**
 * A layer providing the environment from explicit variables (empty values count as unset).
 *
 * @since 0.1.0
 * @category layers
 * @example
 * ```ts
 * import { BunEnvironment } from "@managed-identity/bun/effect"
 *
 * const EnvTest = BunEnvironment.layerFrom({ MSI_ENDPOINT: "http://127.0.0.1:50342/oauth2/token" })
 * ```
 */
export const layerFrom = (
  variables: Readonly<Record<string, string | undefined>>,
  platformName: Environment.Platform = platform()
): Layer.Layer<Environment.Environment> =>
  Layer.succeed(Environment.Environment, Environment.make(variables, platformName))
