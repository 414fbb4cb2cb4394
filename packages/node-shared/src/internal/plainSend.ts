/**
 * One request through a `node:http`-style `request`, as a `Promise`: the single implementation of
 * a node-module send. The Promise API's first request calls it directly (no Effect runtime loaded);
 * `NodeStyleTransport` wraps it in an `Effect` whose interruption aborts the `signal`.
 *
 * @internal
 */
import {
  type Answer,
  boundedBody,
  declaredTooLarge,
  failed,
  type Parts,
  type TransportError,
  tooLarge
} from "@managed-identity/core/HttpRequest"
import type { ClientRequest, IncomingMessage, RequestFunction, Socket } from "../NodeStyleTransport.js"
import { ConnectTimeoutError } from "./connectTimeout.js"

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
 * How a send is made.
 *
 * @internal
 */
export interface SendOptions {
  readonly maxBodyBytes: number
  /** A new socket not connected within this fails with a `ConnectTimeoutError`. */
  readonly connectTimeoutMs?: number | undefined
  /** Aborting destroys the request (and its socket), even mid-handshake, and leaves no timer. */
  readonly signal?: AbortSignal | undefined
  /** For nobody waiting (a cache's refresh): the socket does not hold the process open. */
  readonly background?: boolean | undefined
}

const ABORTED = "the request was abandoned"

/**
 * Sends one request and reads the answer under the cap. Rejects with a `TransportError` only (an
 * abandoned request too, though its caller has left by then). A keep-alive agent refs a socket
 * again when it hands it to the next request; the connect timer never holds the process: while it
 * matters, its socket does (or, in the background, deliberately does not).
 *
 * @internal
 */
export const send = (request: RequestFunction, parts: Parts, options: SendOptions): Promise<Answer> =>
  new Promise<Answer>((resolve, reject) => {
    const { signal } = options
    if (signal?.aborted === true) return reject(failed(undefined, new Error(ABORTED)))
    let settled = false
    let status: number | undefined
    let connectTimer: ReturnType<typeof setTimeout> | undefined
    let outgoing: ClientRequest | undefined
    const clearConnectTimer = () => {
      if (connectTimer === undefined) return
      clearTimeout(connectTimer)
      connectTimer = undefined
    }
    // The first outcome wins; later events (the socket breaking after the answer) are ignored.
    const close = (): boolean => {
      if (settled) return false
      settled = true
      clearConnectTimer()
      signal?.removeEventListener("abort", onAbort)
      return true
    }
    const refuse = (error: TransportError) => {
      if (close()) reject(error)
    }
    const succeed = (answer: Answer) => {
      if (close()) resolve(answer)
    }
    const fail = (cause: unknown) => refuse(failed(status, cause))
    const abandoned = new AbortController()
    const onAbort = () => {
      abandoned.abort()
      fail(new Error(ABORTED))
      outgoing?.destroy()
    }
    const { url } = parts
    try {
      outgoing = request(url, { method: parts.method, headers: parts.headers, signal: abandoned.signal })
    } catch (cause) {
      // A runtime refusing the request outright (an invalid header, say) is still a typed failure.
      return fail(cause)
    }
    signal?.addEventListener("abort", onAbort, { once: true })
    const sent = outgoing
    const connectTimeoutMs = options.connectTimeoutMs
    sent.once("socket", (socket: Socket) => {
      if (options.background === true) unref(socket)
      if (connectTimeoutMs === undefined || socket.connecting !== true || settled) return
      connectTimer = setTimeout(
        () => sent.destroy(new ConnectTimeoutError({ host: url.host, timeoutMs: connectTimeoutMs })),
        connectTimeoutMs
      )
      unref(connectTimer)
      socket.once(url.protocol === "https:" ? "secureConnect" : "connect", clearConnectTimer)
      socket.once("close", clearConnectTimer)
    })
    sent.once("response", (incoming: IncomingMessage) => {
      status = incoming.statusCode ?? 0
      const headers = headersOf(incoming.headers)
      if (declaredTooLarge(headers["content-length"], options.maxBodyBytes)) {
        incoming.destroy()
        return refuse(tooLarge(status, options.maxBodyBytes))
      }
      const body = boundedBody(options.maxBodyBytes)
      incoming.on("data", (chunk: Uint8Array) => {
        if (settled) return
        if (!body.push(chunk)) {
          incoming.destroy()
          refuse(tooLarge(status ?? 0, options.maxBodyBytes))
        }
      })
      incoming.once("end", () => {
        const text = body.text()
        if (text === undefined) refuse(tooLarge(status ?? 0, options.maxBodyBytes))
        else succeed({ status: status ?? 0, headers, body: text })
      })
      incoming.once("error", fail)
      // A socket closed before `end` is a truncated answer, whatever the runtime reports.
      incoming.once("close", () => fail(new Error("the connection closed before the answer was complete")))
    })
    // `on`, not `once`: a second error (the socket breaking after the answer) must not crash the
    // process for want of a listener; the settled guard ignores it.
    sent.on("error", fail)
    sent.end(parts.body)
  })
