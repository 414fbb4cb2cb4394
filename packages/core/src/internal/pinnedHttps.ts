import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"

// The core imports no runtime module: the adapter passes its `node:https`, `node:tls` and
// `node:net`, and these interfaces name the few members the pinned client uses of them.

/** @internal */
export type Listener = (...args: Array<any>) => void

/** @internal */
export interface Emitter {
  on(event: string, listener: Listener): unknown
  once(event: string, listener: Listener): unknown
  removeListener(event: string, listener: Listener): unknown
}

/** @internal */
export interface TlsSocket extends Emitter {
  getPeerCertificate(): { readonly fingerprint?: string; readonly fingerprint256?: string } | undefined
  destroy(): unknown
}

/** @internal */
export interface IncomingMessage extends Emitter {
  readonly statusCode?: number | undefined
  readonly headers: Readonly<Record<string, string | ReadonlyArray<string> | undefined>>
  destroy(): unknown
}

/** @internal */
export interface ClientRequest extends Emitter {
  once(event: "response", listener: (response: IncomingMessage) => void): unknown
  once(event: string, listener: Listener): unknown
  end(body?: Uint8Array | string): unknown
  destroy(): unknown
}

/** @internal */
export interface ConnectOptions {
  readonly hostname?: string | null | undefined
  readonly host?: string | null | undefined
  readonly port?: number | string | null | undefined
}

/** @internal */
export interface Agent {
  destroy(): void
}

/** @internal */
export interface Modules {
  readonly https: {
    readonly Agent: new (options: { keepAlive: boolean; maxCachedSessions: number }) => Agent
    request(
      url: URL,
      // `any`: the agent is the `Agent` above, whose own type the runtime's `request` expects.
      options: { method: string; headers: Record<string, string>; agent: any; signal: AbortSignal }
    ): ClientRequest
  }
  readonly tls: {
    connect(options: {
      host: string
      port: number
      servername?: string
      rejectUnauthorized: boolean
      ALPNProtocols: Array<string>
    }): TlsSocket
  }
  readonly net: {
    isIP(input: string): number
  }
}

/**
 * A connection failed its pin: `reason` is `mismatch` (another certificate) or `not-tls` (plain
 * HTTP). It is the `cause` of the request's transport error. Thumbprints are public (they identify
 * a certificate, they do not unlock anything), so the message may name them.
 *
 * @since 0.1.0
 * @category errors
 * @example
 * ```ts
 * import { PinnedHttpsClient } from "@managed-identity/core"
 *
 * const isMismatch = (u: unknown) => u instanceof PinnedHttpsClient.CertificatePinError && u.reason === "mismatch"
 * ```
 */
export class CertificatePinError extends Data.TaggedError("CertificatePinError")<{
  readonly reason: "mismatch" | "not-tls"
  readonly host: string
  readonly expected: string
  readonly actual: string | undefined
  readonly message: string
}> {}

const normalizeFingerprint = (fingerprint: string | undefined): string | undefined =>
  fingerprint === undefined || fingerprint.length === 0 ? undefined : fingerprint.replace(/:/g, "").toUpperCase()

/** @internal */
export const verifyPeer = (
  host: string,
  expected: string,
  certificate: { readonly fingerprint?: string; readonly fingerprint256?: string } | undefined
): CertificatePinError | undefined => {
  const actual = normalizeFingerprint(expected.length === 40 ? certificate?.fingerprint : certificate?.fingerprint256)
  if (actual === expected) return undefined
  return new CertificatePinError({
    reason: "mismatch",
    host,
    expected,
    actual,
    message: `certificate pinning: ${host} presented a certificate with ${
      expected.length === 40 ? "SHA-1" : "SHA-256"
    } thumbprint ${actual ?? "(none)"}, expected ${expected}`
  })
}

/**
 * An agent whose connections are handed to the HTTP client only once the server's certificate
 * matches the pin: the check runs on `secureConnect`, before a byte of the request (and so the
 * `secret` header) is written. The pin replaces chain validation, since Service Fabric's
 * certificate is self-signed.
 */
const pinnedAgent = (modules: Modules, thumbprint: string): Agent =>
  new (class PinnedAgent extends modules.https.Agent {
    constructor() {
      super({ keepAlive: true, maxCachedSessions: 0 })
    }

    createConnection(
      options: ConnectOptions,
      callback?: (error: Error | null, stream: TlsSocket) => void
    ): TlsSocket | null | undefined {
      const hostname = String(options.hostname ?? options.host ?? "localhost").replace(/^\[(.*)\]$/, "$1")
      const port = Number(options.port ?? 443)
      const host = `${hostname}:${port}`
      const socket = modules.tls.connect({
        host: hostname,
        port,
        ...(modules.net.isIP(hostname) === 0 ? { servername: hostname } : {}),
        rejectUnauthorized: false,
        ALPNProtocols: ["http/1.1"]
      })
      const onError = (error: Error) => callback?.(error, socket)
      socket.once("error", onError)
      socket.once("secureConnect", () => {
        socket.removeListener("error", onError)
        const failure = verifyPeer(host, thumbprint, socket.getPeerCertificate())
        if (failure === undefined) {
          callback?.(null, socket)
        } else {
          socket.destroy()
          callback?.(failure, socket)
        }
      })
      return undefined
    }
  })()

const bodyOf = (request: HttpClientRequest.HttpClientRequest): Uint8Array | string | undefined | false => {
  switch (request.body._tag) {
    case "Empty":
      return undefined
    case "Uint8Array":
      return request.body.body
    case "Raw":
      return typeof request.body.body === "string" || request.body.body instanceof Uint8Array
        ? request.body.body
        : false
    default:
      return false
  }
}

const toHeaders = (raw: IncomingMessage["headers"]): globalThis.Headers => {
  const headers = new globalThis.Headers()
  for (const [name, value] of Object.entries(raw)) {
    if (typeof value === "string") headers.set(name, value)
    else if (value !== undefined) for (const item of value) headers.append(name, item)
  }
  return headers
}

const toStream = (incoming: IncomingMessage): ReadableStream<Uint8Array> => {
  let finished = false
  return new ReadableStream<Uint8Array>({
    start(controller) {
      const fail = (error: unknown) => {
        if (finished) return
        finished = true
        controller.error(error)
      }
      incoming.on("data", (chunk: Uint8Array) => {
        if (!finished) controller.enqueue(new Uint8Array(chunk))
      })
      incoming.once("end", () => {
        if (finished) return
        finished = true
        controller.close()
      })
      incoming.once("error", fail)
      // A socket closed before `end` is a truncated answer, whatever the runtime reports.
      incoming.once("close", () => fail(new Error("the connection closed before the answer was complete")))
    },
    cancel() {
      finished = true
      incoming.destroy()
    }
  })
}

/** @internal */
export const make =
  (modules: Modules) =>
  (thumbprint: string): { readonly client: HttpClient.HttpClient; readonly close: () => void } => {
    const agent = pinnedAgent(modules, thumbprint)
    const client = HttpClient.make((request, url, signal) => {
      if (url.protocol !== "https:") {
        // A pinned client must never send a secret header in clear text.
        return Effect.fail(
          new HttpClientError.RequestError({
            request,
            reason: "Transport",
            cause: new CertificatePinError({
              reason: "not-tls",
              host: url.host,
              expected: thumbprint,
              actual: undefined,
              message: `certificate pinning: ${url.protocol}//${url.host} is not HTTPS, refusing to connect`
            })
          })
        )
      }
      const body = bodyOf(request)
      if (body === false) {
        return Effect.fail(
          new HttpClientError.RequestError({
            request,
            reason: "Encode",
            description: "the pinned client sends text and byte bodies only"
          })
        )
      }
      return Effect.async<HttpClientResponse.HttpClientResponse, HttpClientError.HttpClientError>((resume) => {
        let resumed = false
        const settle = (
          effect: Effect.Effect<HttpClientResponse.HttpClientResponse, HttpClientError.HttpClientError>
        ) => {
          if (resumed) return
          resumed = true
          resume(effect)
        }
        const outgoing = modules.https.request(url, {
          method: request.method,
          headers: { ...request.headers },
          agent,
          signal
        })
        outgoing.once("response", (incoming) => {
          const status = incoming.statusCode ?? 500
          const stream = status === 204 || status === 304 || request.method === "HEAD" ? null : toStream(incoming)
          settle(
            Effect.succeed(
              HttpClientResponse.fromWeb(
                request,
                new Response(stream, { status, headers: toHeaders(incoming.headers) })
              )
            )
          )
        })
        outgoing.on("error", (cause) =>
          settle(Effect.fail(new HttpClientError.RequestError({ request, reason: "Transport", cause })))
        )
        outgoing.end(body)
        return Effect.sync(() => outgoing.destroy())
      })
    })
    return { client, close: () => agent.destroy() }
  }
