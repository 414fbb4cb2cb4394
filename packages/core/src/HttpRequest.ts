/**
 * A token request and its answer, as plain data: what every source builds and every transport
 * sends. Nothing here needs the Effect runtime, so the Promise API's first request can be built and
 * read without loading it.
 *
 * @since 0.1.0
 */
import * as Data from "effect/Data"

/**
 * One token request: what every managed-identity endpoint takes, and nothing more.
 *
 * @since 0.1.0
 * @category models
 */
export interface Request {
  readonly method: "GET" | "POST"
  /** The absolute URL, query included (built with `URL`/`URLSearchParams`, never by concatenation). */
  readonly url: string
  /** Header names in lower case; values are never logged (they may hold a secret). */
  readonly headers: Readonly<Record<string, string>>
  /** A text body and its content type (Cloud Shell's and Entra's forms). */
  readonly body?: { readonly contentType: string; readonly text: string } | undefined
}

/**
 * A `GET` request.
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import { HttpTransport } from "@managed-identity/core"
 *
 * const request = HttpTransport.get("http://127.0.0.1:40342/metadata/identity/oauth2/token", { Metadata: "true" })
 * ```
 */
export const get = (url: string | URL, headers: Readonly<Record<string, string>> = {}): Request => ({
  method: "GET",
  url: String(url),
  headers: lowerCaseNames(headers)
})

const lowerCaseNames = (headers: Readonly<Record<string, string>>): Record<string, string> => {
  const out: Record<string, string> = {}
  for (const [name, value] of Object.entries(headers)) out[name.toLowerCase()] = value
  return out
}

/**
 * A `POST` of a form (`application/x-www-form-urlencoded`), encoded with `URLSearchParams`.
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import { HttpTransport } from "@managed-identity/core"
 *
 * const request = HttpTransport.postForm("http://127.0.0.1:50342/oauth2/token", { resource: "https://management.azure.com" })
 * ```
 */
export const postForm = (
  url: string | URL,
  form: Readonly<Record<string, string>> | ReadonlyArray<readonly [string, string]>,
  headers: Readonly<Record<string, string>> = {}
): Request => {
  const params = new URLSearchParams()
  const entries: ReadonlyArray<readonly [string, string]> = Array.isArray(form)
    ? form
    : Object.entries(form as Readonly<Record<string, string>>)
  for (const [name, value] of entries) params.append(name, value)
  const contentType = "application/x-www-form-urlencoded"
  return {
    method: "POST",
    url: String(url),
    headers: { ...lowerCaseNames(headers), "content-type": contentType },
    body: { contentType, text: params.toString() }
  }
}

/**
 * The request with one more header (or one replaced, names compared without case).
 *
 * @since 0.1.0
 * @category combinators
 * @example
 * ```ts
 * import { HttpTransport } from "@managed-identity/core"
 *
 * const retried = HttpTransport.setHeader(HttpTransport.get("http://127.0.0.1:40342/token"), "Authorization", "Basic k")
 * ```
 */
export const setHeader = (request: Request, name: string, value: string): Request => ({
  ...request,
  headers: { ...request.headers, [name.toLowerCase()]: value }
})

/**
 * An endpoint's answer, read in full.
 *
 * @since 0.1.0
 * @category models
 */
export interface Answer {
  readonly status: number
  /** Header names in lower case; repeated headers joined with `, `. */
  readonly headers: Readonly<Record<string, string>>
  /** The body decoded as UTF-8; the empty string when there is none. */
  readonly body: string
}

/**
 * Why a transport has no answer to give:
 *
 * - `request`: no answer at all (refused, unreachable, timed out, TLS refused, ...). `cause` holds
 *   the runtime's own error, which `Classification.transportKind` reads.
 * - `body`: the endpoint answered `status` but the body broke off while it was being read.
 * - `too-large`: the endpoint answered `status` with a body over the cap; the rest was never read.
 * - `encode`: the request's body is of a kind the transport cannot send.
 *
 * @since 0.1.0
 * @category errors
 */
export class TransportError extends Data.TaggedError("TransportError")<{
  readonly reason: "request" | "body" | "too-large" | "encode"
  readonly status?: number | undefined
  readonly cause?: unknown
  readonly message: string
}> {}

/**
 * The `code` of a transport's connect timeout: no TCP (or TLS) connection within the time allowed.
 * The node-module transports (`@managed-identity/node-shared`) raise it; classification reads it
 * as "no endpoint here" (`Unavailable`, `probe-timeout`), as it reads the runtimes' own codes.
 *
 * @since 0.1.0
 * @category constants
 * @example
 * ```ts
 * import { HttpTransport } from "@managed-identity/core"
 *
 * const isConnectTimeout = (cause: unknown) =>
 *   (cause as { code?: unknown } | undefined)?.code === HttpTransport.CONNECT_TIMEOUT_CODE
 * ```
 */
export const CONNECT_TIMEOUT_CODE = "ERR_MI_CONNECT_TIMEOUT" as const

/**
 * A request reduced to what a runtime's client needs.
 *
 * @since 0.1.0
 * @category models
 */
export interface Parts {
  readonly method: string
  readonly url: URL
  readonly headers: Record<string, string>
  /** The body bytes, `undefined` for none. */
  readonly body: Uint8Array | undefined
}

const encoder = /* @__PURE__ */ new TextEncoder()

/**
 * Takes a request apart: the full URL (no fragment), the headers with lower-case names, and the
 * body as bytes (with its `content-type` and `content-length` set). A URL that does not parse is an
 * `encode` error.
 *
 * @since 0.1.0
 * @category utils
 * @example
 * ```ts
 * import { HttpTransport } from "@managed-identity/core"
 *
 * const built = HttpTransport.parts(HttpTransport.postForm("http://127.0.0.1:8080/token", { resource: "https://management.azure.com" }))
 * if (built._tag === "Right") console.log(built.right.method, built.right.headers["content-type"])
 * // POST application/x-www-form-urlencoded
 * ```
 */
export const parts = (request: Request): ResultOf<Parts> => {
  let url: URL
  try {
    url = new URL(request.url)
  } catch (cause) {
    return {
      _tag: "Left",
      left: new TransportError({ reason: "encode", cause, message: "the request URL is not valid" })
    }
  }
  url.hash = ""
  const headers: Record<string, string> = {}
  for (const [name, value] of Object.entries(request.headers)) headers[name.toLowerCase()] = value
  let bytes: Uint8Array | undefined
  if (request.body !== undefined) {
    bytes = encoder.encode(request.body.text)
    if (!("content-type" in headers)) headers["content-type"] = request.body.contentType
    headers["content-length"] = String(bytes.byteLength)
  }
  return { _tag: "Right", right: { method: request.method, url, headers, body: bytes } }
}

/**
 * `Either`'s shape, spelled out so this module does not load `effect/Either` for one function.
 *
 * @since 0.1.0
 * @category models
 */
export type ResultOf<A> =
  | { readonly _tag: "Right"; readonly right: A }
  | { readonly _tag: "Left"; readonly left: TransportError }

/**
 * Collects body chunks up to a cap: `push` keeps at most `maxBodyBytes + 1` bytes (enough to know
 * the body is too large) and says whether to keep reading; `text` decodes what was kept, or is
 * `undefined` when the body was over the cap.
 *
 * @since 0.1.0
 * @category utils
 * @example
 * ```ts
 * import { HttpTransport } from "@managed-identity/core"
 *
 * const body = HttpTransport.boundedBody(4)
 * body.push(new TextEncoder().encode("ok"))
 * console.log(body.text()) // ok
 * ```
 */
export const boundedBody = (
  maxBodyBytes: number
): { readonly push: (chunk: Uint8Array) => boolean; readonly text: () => string | undefined } => {
  const chunks: Array<Uint8Array> = []
  let size = 0
  return {
    push: (chunk) => {
      const room = maxBodyBytes + 1 - size
      if (room <= 0) return false
      const kept = chunk.byteLength > room ? chunk.subarray(0, room) : chunk
      chunks.push(kept)
      size += kept.byteLength
      return size <= maxBodyBytes
    },
    text: () => {
      if (size > maxBodyBytes) return undefined
      if (chunks.length === 1) return decoder.decode(chunks[0])
      const bytes = new Uint8Array(size)
      let offset = 0
      for (const chunk of chunks) {
        bytes.set(chunk, offset)
        offset += chunk.byteLength
      }
      return decoder.decode(bytes)
    }
  }
}

const decoder = /* @__PURE__ */ new TextDecoder()

/**
 * The URL a `fetch` was called with, whatever form it took.
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import * as HttpRequest from "@managed-identity/core/HttpRequest"
 *
 * HttpRequest.urlOf("http://127.0.0.1:40342/metadata/identity/oauth2/token").port // "40342"
 * ```
 */
export const urlOf = (input: string | URL | globalThis.Request): URL =>
  input instanceof URL ? input : new URL(input instanceof Request ? input.url : input)

/**
 * A plain transport: one request, its answer read in full under the cap, as a `Promise`. It
 * rejects with a `TransportError` only, and stops (closing its connection) when `signal` aborts. A
 * request made for nobody waiting (`background`: a cache's refresh) should not hold the process
 * open where the runtime allows it. The Promise API sends with it; `HttpTransport.fromPromise` makes
 * the Effect transport of one.
 *
 * @since 0.1.0
 * @category models
 * @example
 * ```ts
 * import * as HttpRequest from "@managed-identity/core/HttpRequest"
 *
 * const offline: HttpRequest.PlainSend = () =>
 *   Promise.reject(new HttpRequest.TransportError({ reason: "request", message: "offline" }))
 * ```
 */
export type PlainSend = (
  request: Request,
  options: {
    readonly maxBodyBytes: number
    readonly signal: AbortSignal
    readonly background?: boolean | undefined
  }
) => Promise<Answer>

/**
 * The `too-large` error for an answer with `status` (the message names the cap).
 *
 * @since 0.1.0
 * @category errors
 * @example
 * ```ts
 * import { HttpTransport } from "@managed-identity/core"
 *
 * HttpTransport.tooLarge(200, 65_536).reason // "too-large"
 * ```
 */
export const tooLarge = (status: number, maxBodyBytes: number): TransportError =>
  new TransportError({ reason: "too-large", status, message: `the body is over ${maxBodyBytes} bytes` })

/**
 * The failure of a send that threw `cause`: `request` before an answer arrived, `body` once the
 * endpoint had answered `status`.
 *
 * @since 0.1.0
 * @category errors
 * @example
 * ```ts
 * import { HttpTransport } from "@managed-identity/core"
 *
 * HttpTransport.failed(undefined, new Error("connect ECONNREFUSED")).reason // "request"
 * HttpTransport.failed(200, new Error("socket hang up")).reason // "body"
 * ```
 */
export const failed = (status: number | undefined, cause: unknown): TransportError =>
  status === undefined
    ? new TransportError({ reason: "request", cause, message: "the request failed" })
    : new TransportError({ reason: "body", status, cause, message: "the body broke off while it was being read" })

/**
 * Whether a declared `content-length` is already over the cap (the body is then never read).
 *
 * @since 0.1.0
 * @category utils
 * @example
 * ```ts
 * import { HttpTransport } from "@managed-identity/core"
 *
 * HttpTransport.declaredTooLarge("70000", 65_536) // true
 * ```
 */
export const declaredTooLarge = (contentLength: string | null | undefined, maxBodyBytes: number): boolean =>
  typeof contentLength === "string" && /^\s*\d+\s*$/.test(contentLength) && Number(contentLength) > maxBodyBytes
