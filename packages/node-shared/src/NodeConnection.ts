/**
 * How the node-module transports connect: the options Node's transport and the pinned TLS client
 * share (connect timeout, keep-alive, pool size), the one connect-timeout error they and the
 * connect probe raise, and `node:https`, `node:tls` and `node:net` loaded on first use.
 *
 * @since 0.1.0
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Https from "node:https"
import type * as Net from "node:net"
import type * as Tls from "node:tls"
import * as internal from "./internal/builtin.js"

/**
 * How connections are made and pooled.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /**
   * How long to wait for the TCP (and TLS) handshake; a failure is a `TransportError` (reason
   * `request`) whose cause is a `ConnectTimeoutError` (code `ERR_MI_CONNECT_TIMEOUT`). Default 1
   * second: short, because the first token request is also the probe that tells "no endpoint here"
   * from "endpoint slow".
   */
  readonly connectTimeout?: Duration.DurationInput | undefined
  /** Reuse connections between requests. Default `true`. */
  readonly keepAlive?: boolean | undefined
  /** The most connections per origin. Default: unlimited. */
  readonly maxSockets?: number | undefined
}

/**
 * How long a connection may take unless told otherwise: 1 second.
 *
 * @since 0.1.0
 * @category constants
 * @example
 * ```ts
 * import * as Duration from "effect/Duration"
 * import { NodeConnection } from "@managed-identity/node-shared"
 *
 * Duration.toMillis(NodeConnection.defaultConnectTimeout) // 1000
 * ```
 */
export const defaultConnectTimeout: Duration.Duration = /* @__PURE__ */ Duration.millis(1_000)

/**
 * The default connect timeout in milliseconds, for code that takes a number (the Promise API's
 * first request, which loads no Effect module).
 *
 * @since 0.1.0
 * @category constants
 * @example
 * ```ts
 * import { NodeConnection } from "@managed-identity/node-shared"
 *
 * NodeConnection.defaultConnectTimeoutMs // 1000
 * ```
 */
export const defaultConnectTimeoutMs: number = internal.DEFAULT_CONNECT_TIMEOUT_MS

/**
 * The connect timeout of `options`, in milliseconds.
 *
 * @since 0.1.0
 * @category utils
 * @example
 * ```ts
 * import { NodeConnection } from "@managed-identity/node-shared"
 *
 * NodeConnection.connectTimeoutMs({ connectTimeout: "500 millis" }) // 500
 * ```
 */
export const connectTimeoutMs = (options: Pick<Options, "connectTimeout">): number =>
  internal.connectTimeoutMs(options.connectTimeout)

/**
 * The pool options of an `Agent` (`node:http`'s or `node:https`'), from `options`: keep-alive
 * unless turned off, and the socket limit when there is one.
 *
 * @since 0.1.0
 * @category utils
 * @example
 * ```ts
 * import * as Http from "node:http"
 * import { NodeConnection } from "@managed-identity/node-shared"
 *
 * const agent = new Http.Agent(NodeConnection.agentOptions({ maxSockets: 8 }))
 * ```
 */
export const agentOptions: (options: Pick<Options, "keepAlive" | "maxSockets">) => {
  readonly keepAlive: boolean
  readonly maxSockets?: number
} = internal.agentOptions

/**
 * No connection to `host` within `timeoutMs`: what a dropped SYN (IMDS off Azure) or a server that
 * never finishes its TLS handshake looks like. Its `code` is core's `HttpTransport.CONNECT_TIMEOUT_CODE`,
 * which classification reads as "no endpoint here".
 *
 * @since 0.1.0
 * @category errors
 * @example
 * ```ts
 * import { NodeConnection } from "@managed-identity/node-shared"
 *
 * const error = new NodeConnection.ConnectTimeoutError({ host: "127.0.0.1:40342", timeoutMs: 1000 })
 * error.code // "ERR_MI_CONNECT_TIMEOUT"
 * ```
 */
export { ConnectTimeoutError } from "./internal/connectTimeout.js"

/**
 * `node:https`, `node:tls` and `node:net`, as the runtime has them.
 *
 * @since 0.1.0
 * @category models
 */
export interface TlsModules {
  readonly https: typeof Https
  readonly tls: typeof Tls
  readonly net: typeof Net
}

/**
 * A Node built-in module by `process.getBuiltinModule` (Node 20.16 and later, Deno, Bun), or
 * `undefined` where the runtime has none. Unlike an ES `import` of it, this builds no ES namespace:
 * on Node 22 and 24, building `node:http`'s reads its `WebSocket` getter, which loads undici, TLS,
 * http2 and zlib (about 50 ms of a cold start). Callers fall back to a dynamic `import()`.
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import type * as Http from "node:http"
 * import { NodeConnection } from "@managed-identity/node-shared"
 *
 * const http = NodeConnection.builtin<typeof Http>("node:http") ?? (await import("node:http"))
 * ```
 */
export const builtin: <M>(id: `node:${string}`) => M | undefined = internal.builtin

let loaded: Promise<TlsModules> | undefined

/**
 * Loads `node:https`, `node:tls` and `node:net` on the first TLS request rather than at import:
 * they cost about 10 ms of a cold start, and the endpoints a serverless function or VM usually
 * talks to (IMDS, App Service's local endpoint) are plain HTTP. Loaded once per process.
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import * as Effect from "effect/Effect"
 * import { NodeConnection } from "@managed-identity/node-shared"
 *
 * const agent = Effect.map(NodeConnection.loadTls, ({ https }) => new https.Agent({ keepAlive: true }))
 * ```
 */
export const loadTls: Effect.Effect<TlsModules> = /* @__PURE__ */ Effect.promise(() => {
  loaded ??= Promise.all([
    builtin<typeof Https>("node:https") ?? import("node:https"),
    builtin<typeof Tls>("node:tls") ?? import("node:tls"),
    builtin<typeof Net>("node:net") ?? import("node:net")
  ]).then(([https, tls, net]) => ({ https, tls, net }))
  return loaded
})
