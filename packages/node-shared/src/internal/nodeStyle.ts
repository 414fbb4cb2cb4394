import {
  type Answer,
  boundedBody,
  declaredTooLarge,
  failed,
  type Parts,
  type TransportError,
  tooLarge
} from "@managed-identity/core/HttpTransport"
import * as Effect from "effect/Effect"
import { ConnectTimeoutError } from "../NodeConnection.js"
import type { ClientRequest, IncomingMessage, RequestFunction, Socket } from "../NodeStyleTransport.js"

const headersOf = (raw: IncomingMessage["headers"]): Record<string, string> => {
  const out: Record<string, string> = {}
  for (const [name, value] of Object.entries(raw)) {
    if (typeof value === "string") out[name.toLowerCase()] = value
    else if (value !== undefined) out[name.toLowerCase()] = value.join(", ")
  }
  return out
}

/**
 * Sends one request through a `node:http`-style `request` and reads the answer under the cap. A
 * new socket that has not connected within `connectTimeoutMs` fails with a `ConnectTimeoutError`,
 * which classification reads as "no endpoint here"; a pooled keep-alive socket is already
 * connected. Interruption destroys the request (and its socket).
 *
 * @internal
 */
export const send = (
  request: RequestFunction,
  parts: Parts,
  options: { readonly maxBodyBytes: number; readonly connectTimeoutMs?: number | undefined }
): Effect.Effect<Answer, TransportError> =>
  Effect.async<Answer, TransportError>((resume) => {
    let settled = false
    let status: number | undefined
    const settle = (effect: Effect.Effect<Answer, TransportError>) => {
      if (settled) return
      settled = true
      resume(effect)
    }
    const fail = (cause: unknown) => settle(Effect.fail(failed(status, cause)))
    const { url } = parts
    let outgoing: ClientRequest
    try {
      outgoing = request(url, { method: parts.method, headers: parts.headers })
    } catch (cause) {
      // A runtime refusing the request outright (an invalid header, say) is still a typed failure.
      fail(cause)
      return
    }
    const connectTimeoutMs = options.connectTimeoutMs
    if (connectTimeoutMs !== undefined) {
      outgoing.once("socket", (socket: Socket) => {
        if (socket.connecting !== true) return
        const timer = setTimeout(
          () => outgoing.destroy(new ConnectTimeoutError({ host: url.host, timeoutMs: connectTimeoutMs })),
          connectTimeoutMs
        )
        const clear = () => clearTimeout(timer)
        socket.once(url.protocol === "https:" ? "secureConnect" : "connect", clear)
        socket.once("close", clear)
      })
    }
    outgoing.once("response", (incoming: IncomingMessage) => {
      status = incoming.statusCode ?? 0
      const headers = headersOf(incoming.headers)
      if (declaredTooLarge(headers["content-length"], options.maxBodyBytes)) {
        incoming.destroy()
        return settle(Effect.fail(tooLarge(status, options.maxBodyBytes)))
      }
      const body = boundedBody(options.maxBodyBytes)
      incoming.on("data", (chunk: Uint8Array) => {
        if (settled) return
        if (!body.push(chunk)) {
          incoming.destroy()
          settle(Effect.fail(tooLarge(status ?? 0, options.maxBodyBytes)))
        }
      })
      incoming.once("end", () => {
        const text = body.text()
        settle(
          text === undefined
            ? Effect.fail(tooLarge(status ?? 0, options.maxBodyBytes))
            : Effect.succeed({ status: status ?? 0, headers, body: text })
        )
      })
      incoming.once("error", fail)
      // A socket closed before `end` is a truncated answer, whatever the runtime reports.
      incoming.once("close", () => fail(new Error("the connection closed before the answer was complete")))
    })
    // `on`, not `once`: a second error (the socket breaking after the answer) must not crash the
    // process for want of a listener; the settled guard ignores it.
    outgoing.on("error", fail)
    outgoing.end(parts.body)
    return Effect.sync(() => {
      settled = true
      outgoing.destroy()
    })
  })
