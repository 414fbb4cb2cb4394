/**
 * The `HttpClient` of edge runtimes: the global `fetch` behind `@effect/platform`'s
 * `FetchHttpClient` (core's `FetchTransport`), never following a redirect. `fetch` is looked up on every request (not
 * captured at import), so a runtime that installs it late, or a test that replaces it, is honoured.
 *
 * @since 0.1.0
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as FetchTransport from "@managed-identity/core/FetchTransport"
import type * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"

/**
 * Options of the client.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** The `fetch` to use; default: the global one. */
  readonly fetch?: typeof globalThis.fetch | undefined
}

/**
 * Builds the client.
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import * as Effect from "effect/Effect"
 * import { EdgeHttpClient } from "@managed-identity/edge"
 *
 * const status = Effect.gen(function* () {
 *   const client = yield* EdgeHttpClient.make()
 *   const response = yield* client.get("http://127.0.0.1:8080/metadata/identity/oauth2/token")
 *   return response.status
 * })
 * ```
 */
export const make = (options: Options = {}): Effect.Effect<HttpClient.HttpClient> => {
  const custom = options.fetch
  // Called with no receiver: Workers throw "Illegal invocation" for `fetch` bound to another object.
  return FetchTransport.make(
    custom === undefined ? (input, init) => globalThis.fetch(input, init) : (input, init) => custom(input, init)
  )
}

/**
 * A layer providing `HttpClient` over the runtime's `fetch`.
 *
 * @since 0.1.0
 * @category layers
 * @example
 * ```ts
 * import * as Effect from "effect/Effect"
 * import * as HttpClient from "@effect/platform/HttpClient"
 * import { EdgeHttpClient } from "@managed-identity/edge"
 *
 * const program = Effect.flatMap(HttpClient.HttpClient, (client) => client.get("http://127.0.0.1:8080/"))
 * Effect.runPromise(Effect.provide(program, EdgeHttpClient.layer()))
 * ```
 */
export const layer = (options: Options = {}): Layer.Layer<HttpClient.HttpClient> =>
  Layer.effect(HttpClient.HttpClient, make(options))
