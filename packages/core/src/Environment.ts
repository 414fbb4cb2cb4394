/**
 * The environment a host gives its managed identity: variables such as `IDENTITY_ENDPOINT`,
 * `MSI_ENDPOINT`, `AZURE_CLIENT_ID`, and the platform (for Azure Arc's key-file directory).
 * Core never reads `process.env`: adapters provide this service from their runtime.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Layer from "effect/Layer"
import * as internal from "./internal/variables.js"

/**
 * The operating-system family, which decides Azure Arc's default paths.
 *
 * @since 0.1.0
 * @category models
 */
export type Platform = "posix" | "windows"

/**
 * A snapshot of environment variables.
 *
 * @since 0.1.0
 * @category models
 */
export type Variables = Readonly<Record<string, string | undefined>>

/**
 * The environment service.
 *
 * @since 0.1.0
 * @category tags
 * @example
 * ```ts
 * import * as Effect from "effect/Effect"
 * import { Environment } from "@managed-identity/core"
 *
 * const program = Effect.map(Environment.Environment, (env) => env.variables.IDENTITY_ENDPOINT)
 * Effect.runSync(Effect.provide(program, Environment.layer({ IDENTITY_ENDPOINT: "http://127.0.0.1:1" })))
 * ```
 */
export class Environment extends Context.Tag("@managed-identity/core/Environment")<
  Environment,
  { readonly variables: Variables; readonly platform: Platform }
>() {}

/**
 * Keeps only variables with a non-empty value, as `@azure/identity` treats an empty variable as unset.
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import { Environment } from "@managed-identity/core"
 *
 * Environment.normalize({ A: "1", B: "", C: undefined }) // { A: "1" }
 * ```
 */
export const normalize: (variables: Variables) => Variables = internal.normalize

/**
 * An environment from a record of variables (a copy is taken).
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import { Environment } from "@managed-identity/core"
 *
 * const env = Environment.make({ MSI_ENDPOINT: "http://127.0.0.1:5000/msi/token" })
 * ```
 */
export const make = (variables: Variables, platform: Platform = "posix"): Context.Tag.Service<Environment> => ({
  variables: normalize(variables),
  platform
})

/**
 * A layer providing the environment from a record of variables.
 *
 * @since 0.1.0
 * @category layers
 * @example
 * ```ts
 * import { Environment } from "@managed-identity/core"
 *
 * const EnvLive = Environment.layer({ AZURE_POD_IDENTITY_AUTHORITY_HOST: "http://127.0.0.1:8080" })
 * ```
 */
export const layer = (variables: Variables, platform: Platform = "posix"): Layer.Layer<Environment> =>
  Layer.succeed(Environment, make(variables, platform))
