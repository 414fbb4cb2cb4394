/**
 * The node-module send as a plain `Promise` (core's `TokenCredential.PlainSend`): what a
 * Promise-API credential sends its requests with, loading no Effect module. The same send
 * `NodeStyleTransport` wraps in an `Effect`. Also here, for the same callers: Node's modules by
 * `process.getBuiltinModule`, and the connect-timeout default in milliseconds.
 *
 * @since 0.1.0
 */
import { type Answer, parts, type Request } from "@managed-identity/core/HttpRequest"
import type * as Duration from "effect/Duration"
import * as internal from "./internal/builtin.js"
import * as plain from "./internal/plainSend.js"
import type { Options } from "./NodeStyleTransport.js"

/**
 * How long a new connection may take by default: 1000 ms (`NodeConnection.defaultConnectTimeout`).
 *
 * @since 0.1.0
 * @category constants
 * @example
 * ```ts
 * import { NodePlainTransport } from "@managed-identity/node-shared"
 *
 * NodePlainTransport.defaultConnectTimeoutMs // 1000
 * ```
 */
export const defaultConnectTimeoutMs: number = internal.DEFAULT_CONNECT_TIMEOUT_MS

/**
 * A connect timeout given as any `Duration` input (`1000`, `"2 seconds"`; default 1 second), in
 * milliseconds, as `NodeConnection.connectTimeoutMs` reads it.
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import { NodePlainTransport } from "@managed-identity/node-shared"
 *
 * NodePlainTransport.connectTimeoutMs("2 seconds") // 2000
 * ```
 */
export const connectTimeoutMs: (input: Duration.DurationInput | undefined) => number = internal.connectTimeoutMs

/**
 * A connection pool's options: keep-alive unless `keepAlive: false`, and `maxSockets` if given (as
 * `NodeConnection.agentOptions`).
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import { NodePlainTransport } from "@managed-identity/node-shared"
 *
 * NodePlainTransport.agentOptions({}) // { keepAlive: true }
 * ```
 */
export const agentOptions: (options: {
  readonly keepAlive?: boolean | undefined
  readonly maxSockets?: number | undefined
}) => { readonly keepAlive: boolean; readonly maxSockets?: number } = internal.agentOptions

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
 * import { NodePlainTransport } from "@managed-identity/node-shared"
 *
 * const http = NodePlainTransport.builtin<typeof Http>("node:http") ?? (await import("node:http"))
 * ```
 */
export const builtin: <M>(id: `node:${string}`) => M | undefined = internal.builtin

/**
 * What a send is asked: the body cap, the caller's signal (aborting it abandons the request,
 * closing its connection), and whether nobody waits for it (its socket then does not hold the
 * process open).
 *
 * @since 0.1.0
 * @category models
 */
export interface SendOptions {
  readonly maxBodyBytes: number
  readonly signal: AbortSignal
  readonly background?: boolean | undefined
}

/**
 * The send over a `request` function (and its connect timeout). It rejects with a
 * `TransportError` only.
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import * as Http from "node:http"
 * import * as HttpRequest from "@managed-identity/core/HttpRequest"
 * import { NodePlainTransport } from "@managed-identity/node-shared"
 *
 * const send = NodePlainTransport.make({ request: Http.request, connectTimeoutMs: 1_000 })
 * const answer = await send(HttpRequest.get("http://127.0.0.1:40342/metadata/identity/oauth2/token", { metadata: "true" }), {
 *   maxBodyBytes: 65_536,
 *   signal: AbortSignal.timeout(5_000)
 * })
 * ```
 */
export const make =
  (options: Options) =>
  (request: Request, sendOptions: SendOptions): Promise<Answer> => {
    const built = parts(request)
    return built._tag === "Left"
      ? Promise.reject(built.left)
      : plain.send(options.request, built.right, {
          maxBodyBytes: sendOptions.maxBodyBytes,
          connectTimeoutMs: options.connectTimeoutMs,
          signal: sendOptions.signal,
          background: sendOptions.background
        })
  }
