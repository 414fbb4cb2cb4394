/**
 * Node's modules for core's `PinnedHttpsClient`, with this adapter's connection options: the
 * pinned agent gets the pool options, and each TLS connection the connect timeout (the pinned
 * agent opens its sockets itself, so `NodeStyleTransport`'s own timer never sees them connecting).
 *
 * @internal
 */
import type { PinnedClient } from "@managed-identity/core/CertificatePinning"
import * as CertificatePinning from "@managed-identity/core/CertificatePinning"
import { TransportError } from "@managed-identity/core/HttpTransport"
import { CONNECT_TIMEOUT_CODE } from "@managed-identity/core/NodeStyleTransport"
import * as PinnedHttpsClient from "@managed-identity/core/PinnedHttpsClient"
import * as Effect from "effect/Effect"
import type * as Https from "node:https"
import type { Options } from "../NodeHttpClient.js"
import { connectTimeoutMs, poolOptions } from "./nodeHttp.js"
import * as TlsModules from "./tlsModules.js"

/**
 * The code on the cause of every request of a client pinned to a value that is not a thumbprint;
 * core's classification reads it as a rejected certificate.
 *
 * @internal
 */
export const invalidThumbprintCode = "ERR_MI_CERTIFICATE_PIN"

const connectTimeoutError = (host: string, port: number, ms: number): Error =>
  Object.assign(new Error(`Connect Timeout Error (${host}:${port}, timeout: ${ms}ms)`), {
    name: "ConnectTimeoutError",
    code: CONNECT_TIMEOUT_CODE
  })

/**
 * `node:https`, `node:tls` and `node:net` as the pinned client takes them: its agent with the
 * pool options (keep-alive by default), and a TLS connection that must finish its handshake within
 * the connect timeout.
 *
 * @internal
 */
export const modules = (
  { https, net, tls }: TlsModules.TlsModules,
  options: Pick<Options, "connectTimeout" | "keepAlive" | "maxSockets">
): PinnedHttpsClient.Modules => {
  const pool = poolOptions(options)
  const timeoutMs = connectTimeoutMs(options)
  class Agent extends https.Agent {
    constructor(base: Https.AgentOptions) {
      super({ ...base, ...pool })
    }
  }
  return {
    https: { Agent, request: https.request },
    net,
    tls: {
      connect: (connectOptions) => {
        const socket = tls.connect(connectOptions)
        const timer = setTimeout(
          () => socket.destroy(connectTimeoutError(connectOptions.host, connectOptions.port, timeoutMs)),
          timeoutMs
        )
        const clear = () => clearTimeout(timer)
        socket.once("secureConnect", clear)
        socket.once("close", clear)
        return socket
      }
    }
  }
}

/**
 * A client that refuses every request without connecting: pinned to a value that is not a SHA-1 or
 * SHA-256 thumbprint, it can match no certificate. The value is not quoted (it may be a misplaced
 * secret).
 *
 * @internal
 */
export const refusingClient: PinnedClient = {
  client: {
    send: () =>
      Effect.fail(
        new TransportError({
          reason: "request",
          message: "the pinned client has no valid thumbprint",
          cause: Object.assign(
            new Error("certificate pinning: the thumbprint is not 40 (SHA-1) or 64 (SHA-256) hex digits"),
            { name: "CertificatePinError", code: invalidThumbprintCode }
          )
        })
      )
  },
  close: () => {}
}

/**
 * A client pinned to `thumbprint` (any spelling), with its own connection pool for `close`. The TLS
 * modules are loaded, and the pinned client made, on its first request.
 *
 * @internal
 */
export const pinnedClient = (
  options: Pick<Options, "connectTimeout" | "keepAlive" | "maxSockets">
): ((thumbprint: string) => PinnedClient) => {
  return (thumbprint) => {
    const normalized = CertificatePinning.normalizeThumbprint(thumbprint)
    if (normalized === undefined) return refusingClient
    let inner: PinnedClient | undefined
    let closed = false
    const made = Effect.map(TlsModules.load, (loaded) => {
      if (inner === undefined) {
        inner = PinnedHttpsClient.make(modules(loaded, options))(normalized)
        // Closed already (a request racing the scope's end): no pool may outlive it.
        if (closed) inner.close()
      }
      return inner
    })
    return {
      client: {
        send: (request, sendOptions) =>
          Effect.flatMap(inner === undefined ? made : Effect.succeed(inner), (pinned) =>
            pinned.client.send(request, sendOptions)
          )
      },
      close: () => {
        closed = true
        inner?.close()
      }
    }
  }
}
