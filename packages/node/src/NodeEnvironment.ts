/**
 * Core's `Environment` on Node: the variables of `process.env`, read once when the layer is built,
 * and the platform from `process.platform`.
 *
 * @since 0.1.0
 */
import * as Environment from "@managed-identity/core/Environment"
import * as Layer from "effect/Layer"
import * as internal from "./internal/platform.js"

/**
 * The platform family of this process: `windows` on win32, `posix` everywhere else.
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import { NodeEnvironment } from "@managed-identity/node/effect"
 *
 * NodeEnvironment.platform() // "posix" on Linux and macOS
 * ```
 */
export const platform: () => Environment.Platform = internal.platform

/**
 * A layer providing the environment from `process.env`, snapshotted when the layer is built so a
 * later change to `process.env` cannot switch sources under a running program.
 *
 * @since 0.1.0
 * @category layers
 * @example
 * ```ts
 * import * as Effect from "effect/Effect"
 * import { Environment } from "@managed-identity/core"
 * import { NodeEnvironment } from "@managed-identity/node/effect"
 *
 * const endpoint = Effect.map(Environment.Environment, (env) => env.variables.IDENTITY_ENDPOINT)
 * Effect.runSync(Effect.provide(endpoint, NodeEnvironment.layer))
 * ```
 */
export const layer: Layer.Layer<Environment.Environment> = Layer.sync(Environment.Environment, () =>
  Environment.make({ ...process.env }, platform())
)

/**
 * A layer providing the environment from explicit variables (empty values count as unset), on
 * this process's platform unless another is given.
 *
 * @since 0.1.0
 * @category layers
 * @example
 * ```ts
 * import { NodeEnvironment } from "@managed-identity/node/effect"
 *
 * const EmulatorEnv = NodeEnvironment.layerFrom({ IDENTITY_ENDPOINT: "http://127.0.0.1:8080/msi/token" })
 * ```
 */
export const layerFrom = (
  variables: Environment.Variables,
  platformName: Environment.Platform = platform()
): Layer.Layer<Environment.Environment> =>
  Layer.succeed(Environment.Environment, Environment.make(variables, platformName))
