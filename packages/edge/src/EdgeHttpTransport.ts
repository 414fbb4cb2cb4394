/**
 * The transport of edge runtimes: core's `HttpTransport` over the global `fetch`
 * (`FetchTransport`), never following a redirect and reading at most the body cap. `fetch` is
 * looked up on every request (not captured when the layer is built) and called with no receiver:
 * Workers throw "Illegal invocation" for a `fetch` bound to another object.
 *
 * @since 0.1.0
 */
import * as FetchTransport from "@managed-identity/core/FetchTransport"
import { HttpTransport, type Service } from "@managed-identity/core/HttpTransport"
import * as Layer from "effect/Layer"

/**
 * Options of the edge transport.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** The `fetch` to use; default: the global one. */
  readonly fetch?: typeof globalThis.fetch | undefined
}

/**
 * The transport over the runtime's (or the given) `fetch`.
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import * as Effect from "effect/Effect"
 * import { EdgeHttpTransport } from "@managed-identity/edge/effect"
 *
 * const transport = EdgeHttpTransport.make()
 * const status = Effect.map(
 *   transport.send(HttpTransport.get("http://127.0.0.1:8080/"), { maxBodyBytes: 65_536 }),
 *   (answer) => answer.status
 * )
 * ```
 */
export const make = (options: Options = {}): Service => {
  const custom = options.fetch
  return FetchTransport.make(
    custom === undefined ? (input, init) => globalThis.fetch(input, init) : (input, init) => custom(input, init)
  )
}

/**
 * A layer providing core's `HttpTransport` over the runtime's `fetch`.
 *
 * @since 0.1.0
 * @category layers
 * @example
 * ```ts
 * import * as Effect from "effect/Effect"
 * import { HttpTransport } from "@managed-identity/core"
 * import { EdgeHttpTransport } from "@managed-identity/edge/effect"
 *
 * const program = Effect.flatMap(HttpTransport.HttpTransport, (transport) =>
 *   transport.send(HttpTransport.get("http://127.0.0.1:8080/"), { maxBodyBytes: 65_536 })
 * )
 * Effect.runPromise(Effect.provide(program, EdgeHttpTransport.layer()))
 * ```
 */
export const layer = (options: Options = {}): Layer.Layer<HttpTransport> =>
  Layer.sync(HttpTransport, () => make(options))
