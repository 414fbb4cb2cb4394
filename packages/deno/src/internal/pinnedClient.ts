import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import type * as Cause from "effect/Cause"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as https from "node:https"
import { isIP } from "node:net"
import type { Duplex } from "node:stream"
import * as tls from "node:tls"

/** @internal */
export interface CertificatePinErrorFields {
  readonly reason: "mismatch" | "not-tls"
  readonly host: string
  readonly expected: string
  readonly actual: string | undefined
  readonly message: string
}

// Typed explicitly: JSR's fast check cannot infer a class from a call expression.
const CertificatePinErrorBase: new (
  fields: CertificatePinErrorFields
) => Cause.YieldableError & { readonly _tag: "CertificatePinError" } & Readonly<CertificatePinErrorFields> =
  Data.TaggedError("CertificatePinError")

/**
 * A TLS connection failed its pin. Thumbprints are public (they identify a certificate, they do
 * not unlock anything), so the message may name them.
 *
 * @internal
 */
export class CertificatePinError extends CertificatePinErrorBase {}

const normalizeFingerprint = (fingerprint: string | undefined): string | undefined =>
  fingerprint === undefined || fingerprint.length === 0 ? undefined : fingerprint.replace(/:/g, "").toUpperCase()

/**
 * Compares a peer certificate with a normalized thumbprint: 40 hex digits are SHA-1 (what Service
 * Fabric's `IDENTITY_SERVER_THUMBPRINT` holds), 64 are SHA-256.
 *
 * @internal
 */
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
class PinnedAgent extends https.Agent {
  readonly #thumbprint: string

  constructor(thumbprint: string) {
    super({ keepAlive: true, maxCachedSessions: 0 })
    this.#thumbprint = thumbprint
  }

  override createConnection(
    options: https.RequestOptions,
    callback?: (error: Error | null, stream: Duplex) => void
  ): Duplex | null | undefined {
    const hostname = String(options.hostname ?? options.host ?? "localhost").replace(/^\[(.*)\]$/, "$1")
    const port = Number(options.port ?? 443)
    const host = `${hostname}:${port}`
    const socket = tls.connect({
      host: hostname,
      port,
      ...(isIP(hostname) === 0 ? { servername: hostname } : {}),
      rejectUnauthorized: false,
      ALPNProtocols: ["http/1.1"]
    })
    const onError = (error: Error) => callback?.(error, socket)
    socket.once("error", onError)
    socket.once("secureConnect", () => {
      socket.removeListener("error", onError)
      const failure = verifyPeer(host, this.#thumbprint, socket.getPeerCertificate())
      if (failure === undefined) {
        callback?.(null, socket)
      } else {
        socket.destroy()
        callback?.(failure, socket)
      }
    })
    return undefined
  }
}

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

const toHeaders = (raw: Readonly<Record<string, string | ReadonlyArray<string> | undefined>>): globalThis.Headers => {
  const headers = new globalThis.Headers()
  for (const [name, value] of Object.entries(raw)) {
    if (typeof value === "string") headers.set(name, value)
    else if (value !== undefined) for (const item of value) headers.append(name, item)
  }
  return headers
}

/**
 * An `HttpClient` over `node:https` with a pinned agent: Deno's and Bun's `fetch` cannot pin a
 * self-signed certificate (Deno's only adds CA certificates; Bun's `checkServerIdentity` is not
 * called once `rejectUnauthorized` is off), while their `node:tls` shows the peer certificate.
 *
 * @internal
 */
export const make = (thumbprint: string): { readonly client: HttpClient.HttpClient; readonly close: () => void } => {
  const agent = new PinnedAgent(thumbprint)
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
      const outgoing = https.request(url, { method: request.method, headers: { ...request.headers }, agent, signal })
      outgoing.once("response", (incoming) => {
        const status = incoming.statusCode ?? 500
        let finished = false
        const stream =
          status === 204 || status === 304 || request.method === "HEAD"
            ? null
            : new ReadableStream<Uint8Array>({
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
        settle(
          Effect.succeed(
            HttpClientResponse.fromWeb(request, new Response(stream, { status, headers: toHeaders(incoming.headers) }))
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
