import type { PinnedClient } from "@managed-identity/core/CertificatePinning"
import * as CertificatePinning from "@managed-identity/core/CertificatePinning"
import { TransportError } from "@managed-identity/core/HttpTransport"
import * as Effect from "effect/Effect"
import type * as Https from "node:https"
import * as NodeConnection from "../NodeConnection.js"
import * as PinnedHttpsTransport from "../PinnedHttpsTransport.js"
import { unref } from "./plainSend.js"

/**
 * The code on the cause of every request of a transport pinned to a value that is not a
 * thumbprint; core's classification reads it as a rejected certificate.
 *
 * @internal
 */
export const invalidThumbprintCode = "ERR_MI_CERTIFICATE_PIN"

/**
 * `node:https`, `node:tls` and `node:net` as the pinned transport takes them: its agent with the
 * pool options (keep-alive by default), and a TLS connection that must finish its handshake within
 * the connect timeout (the pinned agent opens its sockets itself, so `NodeStyleTransport`'s own
 * timer never sees them connecting).
 *
 * @internal
 */
export const modules = (
  { https, net, tls }: NodeConnection.TlsModules,
  options: NodeConnection.Options
): PinnedHttpsTransport.Modules => {
  const pool = NodeConnection.agentOptions(options)
  const timeoutMs = NodeConnection.connectTimeoutMs(options)
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
          () =>
            socket.destroy(
              new NodeConnection.ConnectTimeoutError({
                host: `${connectOptions.host}:${connectOptions.port}`,
                timeoutMs
              })
            ),
          timeoutMs
        )
        // The socket holds the process while it connects (unless it is a background request's);
        // its timer never needs to.
        unref(timer)
        const clear = () => clearTimeout(timer)
        socket.once("secureConnect", clear)
        socket.once("close", clear)
        return socket
      }
    }
  }
}

/**
 * A transport that refuses every request without connecting: pinned to a value that is not a
 * SHA-1 or SHA-256 thumbprint, it can match no certificate. The value is not quoted (it may be a
 * misplaced secret).
 *
 * @internal
 */
export const refusing: PinnedClient = {
  client: {
    send: () =>
      Effect.fail(
        new TransportError({
          reason: "request",
          message: "the pinned transport has no valid thumbprint",
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
 * A transport pinned to `thumbprint` (any spelling), with its own connection pool for `close`. The
 * TLS modules are loaded, and the pinned transport made, on its first request.
 *
 * @internal
 */
export const pinnedClient =
  (options: NodeConnection.Options) =>
  (thumbprint: string): PinnedClient => {
    const normalized = CertificatePinning.normalizeThumbprint(thumbprint)
    if (normalized === undefined) return refusing
    let inner: PinnedClient | undefined
    let closed = false
    const made = Effect.map(NodeConnection.loadTls, (loaded) => {
      if (inner === undefined) {
        inner = PinnedHttpsTransport.make(modules(loaded, options))(normalized)
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
