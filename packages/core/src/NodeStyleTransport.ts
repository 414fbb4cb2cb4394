/**
 * An `HttpTransport` over a `node:http`-style `request` function (Node's, Bun's and Deno's
 * `node:http` / `node:https` all have one). The runtime adapter passes the function, with its
 * connection pools and TLS options; this module does the rest: the request, a connect timeout,
 * reading the answer under the body cap, and destroying the request when interrupted.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import type { Service } from "./HttpTransport.js"
import { parts } from "./HttpTransport.js"
import * as internal from "./internal/nodeStyle.js"

export type {
  /**
   * The `request` function: `node:http`'s `request(url, options)`, or a wrapper choosing `http` or
   * `https` and an agent by the URL.
   *
   * @since 0.1.0
   * @category models
   */
  RequestFunction,
  ClientRequest,
  Emitter,
  IncomingMessage,
  Listener,
  Socket
} from "./internal/nodeStyle.js"

/**
 * The code a connect timeout carries, as undici names it (classification reads it as "no endpoint
 * here").
 *
 * @since 0.1.0
 * @category constants
 */
export const CONNECT_TIMEOUT_CODE: string = internal.connectTimeoutCode

/**
 * Options of `make`.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  readonly request: internal.RequestFunction
  /**
   * Time for a new connection's TCP (and TLS) handshake, in milliseconds; a pooled keep-alive
   * connection is already connected. Default: no limit (the attempt's own timeout still applies).
   */
  readonly connectTimeoutMs?: number | undefined
}

/**
 * The transport over a `request` function.
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import * as Http from "node:http"
 * import { NodeStyleTransport } from "@managed-identity/core"
 *
 * const agent = new Http.Agent({ keepAlive: true })
 * const transport = NodeStyleTransport.make({
 *   request: (url, options) => Http.request(url, { ...options, agent }),
 *   connectTimeoutMs: 1_000
 * })
 * ```
 */
export const make = (options: Options): Service => ({
  send: (request, { maxBodyBytes }) => {
    const built = parts(request)
    return built._tag === "Left"
      ? Effect.fail(built.left)
      : internal.send(options.request, built.right, { maxBodyBytes, connectTimeoutMs: options.connectTimeoutMs })
  }
})
