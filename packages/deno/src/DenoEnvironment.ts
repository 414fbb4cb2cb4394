/**
 * Core's `Environment` on Deno: the variables of `Deno.env`, read once when the layer is built, and
 * the platform from `Deno.build.os`. Deno asks for `--allow-env`; access granted variable by
 * variable (`--allow-env=IDENTITY_ENDPOINT,IDENTITY_HEADER`) is enough, and with none the error
 * names the flag.
 *
 * @since 0.1.0
 */
import * as Environment from "@managed-identity/core/Environment"
import type * as ManagedIdentityError from "@managed-identity/core/ManagedIdentityError"
import type * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as internal from "./internal/environment.js"

/**
 * The platform family Deno runs on: `windows` on Windows, `posix` everywhere else.
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import { DenoEnvironment } from "@managed-identity/deno/effect"
 *
 * DenoEnvironment.platform() // "posix" on Linux and macOS
 * ```
 */
export const platform: () => Environment.Platform = internal.platform

/**
 * Reads the variables: all of them with `--allow-env`, else those granted one by one.
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import * as Effect from "effect/Effect"
 * import { DenoEnvironment } from "@managed-identity/deno/effect"
 *
 * const environment = Effect.runSync(DenoEnvironment.make)
 * console.log(environment.variables.IDENTITY_ENDPOINT)
 * ```
 */
export const make: Effect.Effect<
  Context.Tag.Service<Environment.Environment>,
  ManagedIdentityError.InvalidArgument
> = Effect.suspend(() => {
  const result = internal.read()
  return "error" in result ? Effect.fail(result.error) : Effect.succeed(Environment.make(result.variables, platform()))
})

/**
 * A layer providing the environment from `Deno.env`, snapshotted when the layer is built so a later
 * `Deno.env.set` cannot switch sources under a running program. Outside Deno, or with no
 * environment permission at all, it fails with an `InvalidArgument` that says so.
 *
 * @since 0.1.0
 * @category layers
 * @example
 * ```ts
 * import * as Effect from "effect/Effect"
 * import { Environment } from "@managed-identity/core"
 * import { DenoEnvironment } from "@managed-identity/deno/effect"
 *
 * const endpoint = Effect.map(Environment.Environment, (env) => env.variables.IDENTITY_ENDPOINT)
 * Effect.runSync(Effect.provide(endpoint, DenoEnvironment.layer))
 * ```
 */
export const layer: Layer.Layer<Environment.Environment, ManagedIdentityError.InvalidArgument> = Layer.effect(
  Environment.Environment,
  make
)

/**
 * A layer providing the environment from explicit variables (empty values count as unset), on
 * Deno's platform; needs no permission.
 *
 * @since 0.1.0
 * @category layers
 * @example
 * ```ts
 * import { DenoEnvironment } from "@managed-identity/deno/effect"
 *
 * const EnvTest = DenoEnvironment.layerFrom({ MSI_ENDPOINT: "http://127.0.0.1:50342/oauth2/token" })
 * ```
 */
export const layerFrom = (
  variables: Readonly<Record<string, string | undefined>>,
  platformName: Environment.Platform = platform()
): Layer.Layer<Environment.Environment> =>
  Layer.succeed(Environment.Environment, Environment.make(variables, platformName))
