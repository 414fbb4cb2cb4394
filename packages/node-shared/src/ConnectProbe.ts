/**
 * A TCP connect probe for `fetch`, which has no connect timeout: before the first request to a
 * plain-HTTP origin, a connect with a short timeout tells "nothing at this address" (a dropped SYN,
 * as for IMDS off Azure) from "endpoint slow". It runs over the runtime's `node:net`, passed in by
 * the adapter (Deno, Bun), so tests can hand it a socket that never connects.
 *
 * @since 0.1.0
 */
import type * as Duration from "effect/Duration"
import * as internal from "./internal/connectProbe.js"
import { defaultConnectTimeout } from "./NodeConnection.js"

/**
 * The part of a socket the probe uses (`node:net`'s `Socket`).
 *
 * @since 0.1.0
 * @category models
 */
export interface Socket {
  on(event: string, listener: (...args: Array<any>) => void): unknown
  once(event: string, listener: (...args: Array<any>) => void): unknown
  removeAllListeners(): unknown
  destroy(): unknown
}

/**
 * The part of `node:net` the probe uses: pass the module itself (`import * as net from "node:net"`).
 *
 * @since 0.1.0
 * @category models
 */
export interface NetModule {
  connect(options: { readonly host: string; readonly port: number }): Socket
}

/**
 * Resolves once the URL's origin accepted a TCP connection, or at once when there is nothing to
 * probe; rejects with the connect error, or with the signal's reason when it aborts.
 *
 * @since 0.1.0
 * @category models
 */
export type ConnectProbe = (url: URL, signal?: AbortSignal | null) => Promise<void>

/**
 * How long the probe waits for a connection unless told otherwise: 1 second, the connect timeout
 * of every node-module transport (`NodeConnection.defaultConnectTimeout`).
 *
 * @since 0.1.0
 * @category constants
 * @example
 * ```ts
 * import * as Duration from "effect/Duration"
 * import { ConnectProbe } from "@managed-identity/node-shared"
 *
 * Duration.toMillis(ConnectProbe.defaultTimeout) // 1000
 * ```
 */
export const defaultTimeout: Duration.Duration = defaultConnectTimeout

/**
 * A probe to run before a request: the first request to a plain-HTTP origin is preceded by a TCP
 * connect with a timeout, so the first token request also tells "nothing at this address" (a
 * dropped SYN, as for IMDS off Azure) from "endpoint slow". A connect that gets no answer in time
 * fails with `NodeConnection.ConnectTimeoutError`, which the core classifies as `Unavailable`
 * (`probe-timeout`). An origin that accepted once is not probed again. Only plain-HTTP origins are
 * probed: they are reached directly, while HTTPS ones may go through a proxy, where a direct connect
 * says nothing. A timeout of 0 turns the probe off.
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import * as net from "node:net"
 * import { FetchTransport } from "@managed-identity/core"
 * import { ConnectProbe } from "@managed-identity/node-shared"
 *
 * const probe = ConnectProbe.make(net, "500 millis")
 * const fetch: typeof globalThis.fetch = async (input, init) => {
 *   await probe(FetchTransport.urlOf(input), init?.signal)
 *   return globalThis.fetch(input, init)
 * }
 * ```
 */
export const make = (net: NetModule, timeout: Duration.DurationInput = defaultTimeout): ConnectProbe =>
  internal.make(net, timeout)
