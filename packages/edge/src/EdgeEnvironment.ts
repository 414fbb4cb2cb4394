/**
 * Edge runtimes have no `process.env`: a Worker receives its variables as bindings, Vercel Edge
 * and Deno Deploy as an object the app passes in. This module turns such an object into core's
 * `Environment`.
 *
 * @since 0.1.0
 */
import * as Environment from "@managed-identity/core/Environment"
import type * as Context from "effect/Context"
import * as Layer from "effect/Layer"

/**
 * The environment from Worker bindings (or any record). Non-string bindings (KV namespaces,
 * Durable Object stubs, secrets objects) are ignored; only text variables are kept.
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import { EdgeEnvironment } from "@managed-identity/edge/effect"
 *
 * export default {
 *   fetch(_request: Request, env: Record<string, unknown>) {
 *     const environment = EdgeEnvironment.fromBindings(env)
 *     return new Response(environment.variables.IDENTITY_ENDPOINT ?? "not set")
 *   }
 * }
 * ```
 */
export const fromBindings = (
  bindings: Readonly<Record<string, unknown>>
): Context.Tag.Service<Environment.Environment> => {
  const variables: Record<string, string> = {}
  for (const [name, value] of Object.entries(bindings ?? {})) {
    if (typeof value === "string") variables[name] = value
  }
  return Environment.make(variables, "posix")
}

/**
 * A layer providing the environment from Worker bindings.
 *
 * @since 0.1.0
 * @category layers
 * @example
 * ```ts
 * import { EdgeEnvironment } from "@managed-identity/edge/effect"
 *
 * const EnvLive = EdgeEnvironment.layer({ IDENTITY_ENDPOINT: "http://127.0.0.1:8080/msi/token" })
 * ```
 */
export const layer = (bindings: Readonly<Record<string, unknown>>): Layer.Layer<Environment.Environment> =>
  Layer.succeed(Environment.Environment, fromBindings(bindings))
