/**
 * An `HttpTransport` over a `node:http`-style `request` function (Node's, Bun's and Deno's
 * `node:http` / `node:https` all have one). The runtime adapter passes the function, with its
 * connection pools and TLS options; this module does the rest: the request, a connect timeout,
 * reading the answer under the body cap, destroying the request when interrupted (an abandoned
 * call), and unref'ing the socket of a request nobody waits for (`HttpTransport.background`, a
 * token cache's refresh), so it never holds an idle process open.
 *
 * @since 0.1.0
 */
import { fromPromise, type Service } from "@managed-identity/core/HttpTransport"
import * as NodePlainTransport from "./NodePlainTransport.js"

// The few members of `node:http`'s objects a send uses; Node, Bun and Deno all have them.

/**
 * An event listener.
 *
 * @since 0.1.0
 * @category models
 */
export type Listener = (...args: Array<any>) => void

/**
 * The event methods of `node:events`' `EventEmitter` the transport uses.
 *
 * @since 0.1.0
 * @category models
 */
export interface Emitter {
  on(event: string, listener: Listener): unknown
  once(event: string, listener: Listener): unknown
  removeListener(event: string, listener: Listener): unknown
}

/**
 * An answer as `node:http` gives it: its status, raw headers and body events.
 *
 * @since 0.1.0
 * @category models
 */
export interface IncomingMessage extends Emitter {
  readonly statusCode?: number | undefined
  readonly headers: Readonly<Record<string, string | ReadonlyArray<string> | undefined>>
  destroy(): unknown
}

/**
 * The request's socket: `connecting` until its handshake is done; `unref` (where the runtime has
 * it) lets a background request's connection not hold the process open.
 *
 * @since 0.1.0
 * @category models
 */
export interface Socket extends Emitter {
  readonly connecting?: boolean | undefined
  unref?(): unknown
}

/**
 * A request as `node:http` gives it.
 *
 * @since 0.1.0
 * @category models
 */
export interface ClientRequest extends Emitter {
  once(event: "response", listener: (response: IncomingMessage) => void): unknown
  once(event: "socket", listener: (socket: Socket) => void): unknown
  once(event: string, listener: Listener): unknown
  end(body?: Uint8Array | string): unknown
  destroy(error?: Error): unknown
}

/**
 * `node:http`'s `request(url, options)`, or a wrapper choosing a module and an agent. The transport
 * passes a `signal` that aborts when the send is interrupted (it destroys the request itself too).
 *
 * @since 0.1.0
 * @category models
 */
export type RequestFunction = (
  url: URL,
  options: { method: string; headers: Record<string, string>; signal?: AbortSignal }
) => ClientRequest

/**
 * Options of `make`.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  readonly request: RequestFunction
  /**
   * Time for a new connection's TCP (and TLS) handshake, in milliseconds, after which the request
   * fails with `NodeConnection.ConnectTimeoutError`; a pooled keep-alive connection is already
   * connected. Default: no limit (the attempt's own timeout still applies).
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
 * import { NodeStyleTransport } from "@managed-identity/node-shared"
 *
 * const agent = new Http.Agent({ keepAlive: true })
 * const transport = NodeStyleTransport.make({
 *   request: (url, options) => Http.request(url, { ...options, agent }),
 *   connectTimeoutMs: 1_000
 * })
 * ```
 */
export const make = (options: Options): Service => fromPromise(NodePlainTransport.make(options))
