import {
  type Answer,
  background,
  boundedBody,
  declaredTooLarge,
  failed,
  type Parts,
  type TransportError,
  tooLarge
} from "@managed-identity/core/HttpTransport"
import * as Effect from "effect/Effect"
import * as FiberRef from "effect/FiberRef"
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
 * Lets a timer or socket not hold the process open, where the runtime's have `unref` (Node, Bun,
 * Deno's `node:` modules and, since Deno 2, its timers).
 *
 * @internal
 */
export const unref = (handle: unknown): void => {
  ;(handle as { unref?: () => unknown } | undefined)?.unref?.()
}

/**
 * Sends one request through a `node:http`-style `request` and reads the answer under the cap. A
 * new socket that has not connected within `connectTimeoutMs` fails with a `ConnectTimeoutError`,
 * which classification reads as "no endpoint here"; a pooled keep-alive socket is already
 * connected. Interruption destroys the request (and its socket), clears the connect timer and
 * aborts the `signal` passed to `request`, so an abandoned call leaves nothing running.
 *
 * A request made for nobody waiting (`HttpTransport.background`: a token cache's refresh) gets its
 * socket unref'd, so it never holds an otherwise idle process open; a keep-alive agent refs the
 * socket again when it hands it to the next request. The connect timer never holds the process:
 * while it matters, its socket does (or, in the background, deliberately does not).
 *
 * @internal
 */
export const send = (
  request: RequestFunction,
  parts: Parts,
  options: { readonly maxBodyBytes: number; readonly connectTimeoutMs?: number | undefined }
): Effect.Effect<Answer, TransportError> =>
  FiberRef.getWith(background, (inBackground) => sendWith(request, parts, options, inBackground))

const sendWith = (
  request: RequestFunction,
  parts: Parts,
  options: { readonly maxBodyBytes: number; readonly connectTimeoutMs?: number | undefined },
  inBackground: boolean
): Effect.Effect<Answer, TransportError> =>
  Effect.async<Answer, TransportError>((resume) => {
    let settled = false
    let status: number | undefined
    let connectTimer: ReturnType<typeof setTimeout> | undefined
    const clearConnectTimer = () => {
      if (connectTimer === undefined) return
      clearTimeout(connectTimer)
      connectTimer = undefined
    }
    const settle = (effect: Effect.Effect<Answer, TransportError>) => {
      if (settled) return
      settled = true
      clearConnectTimer()
      resume(effect)
    }
    const fail = (cause: unknown) => settle(Effect.fail(failed(status, cause)))
    const { url } = parts
    const abandoned = new AbortController()
    let outgoing: ClientRequest
    try {
      outgoing = request(url, { method: parts.method, headers: parts.headers, signal: abandoned.signal })
    } catch (cause) {
      // A runtime refusing the request outright (an invalid header, say) is still a typed failure.
      fail(cause)
      return
    }
    const connectTimeoutMs = options.connectTimeoutMs
    outgoing.once("socket", (socket: Socket) => {
      if (inBackground) unref(socket)
      if (connectTimeoutMs === undefined || socket.connecting !== true || settled) return
      connectTimer = setTimeout(
        () => outgoing.destroy(new ConnectTimeoutError({ host: url.host, timeoutMs: connectTimeoutMs })),
        connectTimeoutMs
      )
      unref(connectTimer)
      socket.once(url.protocol === "https:" ? "secureConnect" : "connect", clearConnectTimer)
      socket.once("close", clearConnectTimer)
    })
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
      clearConnectTimer()
      abandoned.abort()
      outgoing.destroy()
    })
  })
