/**
 * `HttpClient` over `node:http` / `node:https`, for every endpoint that is not pinned by thumbprint.
 *
 * Why not undici: loading the npm package costs 60–150 ms and its HTTP parser is WebAssembly compiled
 * on the first connection, all of it on the path of a serverless cold start; `node:http` is already in
 * the Node binary. It also does by construction what a token request needs: it never follows a
 * redirect and never reads `HTTP_PROXY`/`HTTPS_PROXY` (IMDS is link-local and must not be proxied).
 *
 * @internal
 */
import * as Cookies from "@effect/platform/Cookies"
import * as Headers from "@effect/platform/Headers"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as IncomingMessage from "@effect/platform/HttpIncomingMessage"
import * as UrlParams from "@effect/platform/UrlParams"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Inspectable from "effect/Inspectable"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import * as Http from "node:http"
import * as Https from "node:https"
import { Readable } from "node:stream"
import type { Options } from "../NodeHttpClient.js"

/**
 * The code a connect timeout carries, as undici names it (`NodeHttpClient` documents it, and core's
 * classification reads it as "no endpoint here").
 *
 * @internal
 */
export const connectTimeoutCode = "UND_ERR_CONNECT_TIMEOUT"

/** @internal */
export const defaultConnectTimeout: Duration.Duration = Duration.seconds(1)

const connectTimeoutError = (url: URL, ms: number): Error =>
  Object.assign(new Error(`Connect Timeout Error (${url.host}, timeout: ${ms}ms)`), {
    name: "ConnectTimeoutError",
    code: connectTimeoutCode
  })

class NodeClientResponse extends Inspectable.Class implements HttpClientResponse.HttpClientResponse {
  readonly [IncomingMessage.TypeId]: IncomingMessage.TypeId
  readonly [HttpClientResponse.TypeId]: HttpClientResponse.TypeId
  readonly request: HttpClientRequest.HttpClientRequest
  readonly source: Http.IncomingMessage
  #body: Promise<Buffer> | undefined

  constructor(request: HttpClientRequest.HttpClientRequest, source: Http.IncomingMessage) {
    super()
    this.request = request
    this.source = source
    this[IncomingMessage.TypeId] = IncomingMessage.TypeId
    this[HttpClientResponse.TypeId] = HttpClientResponse.TypeId
  }

  toJSON(): unknown {
    return IncomingMessage.inspect(this, {
      _id: "@effect/platform/HttpClientResponse",
      request: this.request.toJSON(),
      status: this.status
    })
  }

  get status(): number {
    return this.source.statusCode ?? 0
  }

  get headers(): Headers.Headers {
    return Headers.fromInput(this.source.headers)
  }

  get cookies(): Cookies.Cookies {
    return Cookies.fromSetCookie(this.source.headers["set-cookie"] ?? [])
  }

  get remoteAddress(): Option.Option<string> {
    return Option.fromNullable(this.source.socket?.remoteAddress)
  }

  #decodeError(cause: unknown): HttpClientError.ResponseError {
    return new HttpClientError.ResponseError({ request: this.request, response: this, reason: "Decode", cause })
  }

  /** The body, read once (the stream below and these accessors share the one socket). */
  #read(): Promise<Buffer> {
    this.#body ??= new Promise<Buffer>((resolve, reject) => {
      const chunks: Array<Buffer> = []
      this.source.on("data", (chunk: Buffer) => chunks.push(chunk))
      this.source.once("end", () => resolve(Buffer.concat(chunks)))
      this.source.once("error", reject)
    })
    return this.#body
  }

  get stream(): Stream.Stream<Uint8Array, HttpClientError.ResponseError> {
    // Ending the stream early (a body over the size cap) destroys the message and its socket.
    return Stream.fromAsyncIterable(this.source as AsyncIterable<Uint8Array>, (cause) => this.#decodeError(cause))
  }

  get text(): Effect.Effect<string, HttpClientError.ResponseError> {
    return Effect.tryPromise({
      try: () => this.#read().then((b) => b.toString("utf8")),
      catch: (c) => this.#decodeError(c)
    })
  }

  get json(): Effect.Effect<unknown, HttpClientError.ResponseError> {
    return Effect.flatMap(this.text, (text) =>
      Effect.try({
        try: () => (text === "" ? null : (JSON.parse(text) as unknown)),
        catch: (c) => this.#decodeError(c)
      })
    )
  }

  get urlParamsBody(): Effect.Effect<UrlParams.UrlParams, HttpClientError.ResponseError> {
    return Effect.flatMap(this.text, (text) =>
      Effect.try({ try: () => UrlParams.fromInput(new URLSearchParams(text)), catch: (c) => this.#decodeError(c) })
    )
  }

  get arrayBuffer(): Effect.Effect<ArrayBuffer, HttpClientError.ResponseError> {
    return Effect.tryPromise({
      try: () => this.#read().then((b) => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer),
      catch: (c) => this.#decodeError(c)
    })
  }

  get formData(): Effect.Effect<FormData, HttpClientError.ResponseError> {
    // No token endpoint answers with multipart; the web Response parses it when someone asks.
    return Effect.tryPromise({
      try: () =>
        this.#read().then((b) =>
          new Response(b, { headers: this.headers as unknown as Record<string, string> }).formData()
        ),
      catch: (c) => this.#decodeError(c)
    })
  }
}

/** The bytes to send, or `undefined` for no body; form data and streams are serialized here. */
interface OutgoingBody {
  readonly bytes?: Uint8Array | string | undefined
  readonly stream?: Readable | undefined
  /** Overrides the request's content type (form data's boundary). */
  readonly type?: string | undefined
}

const requestBody = (
  request: HttpClientRequest.HttpClientRequest
): Effect.Effect<OutgoingBody | undefined, unknown> => {
  const body = request.body
  switch (body._tag) {
    case "Empty":
      return Effect.succeed(undefined)
    case "Uint8Array":
      return Effect.succeed({ bytes: body.body })
    case "Raw":
      return typeof body.body === "string" || body.body instanceof Uint8Array
        ? Effect.succeed({ bytes: body.body })
        : Effect.fail(new TypeError("unsupported raw body: only strings and bytes can be sent"))
    case "FormData":
      return Effect.promise(async () => {
        const encoded = new Response(body.formData)
        return {
          bytes: new Uint8Array(await encoded.arrayBuffer()),
          type: encoded.headers.get("content-type") ?? undefined
        }
      })
    case "Stream":
      return Effect.map(Stream.toReadableStreamEffect(body.stream), (web) => ({
        stream: Readable.fromWeb(web as Parameters<typeof Readable.fromWeb>[0])
      }))
  }
}

/**
 * Builds the client and its two connection pools (plain and TLS), which `destroy` closes.
 *
 * @internal
 */
export const make = (options: Options): { readonly client: HttpClient.HttpClient; readonly destroy: () => void } => {
  const keepAlive = options.keepAlive !== false
  const poolOptions = {
    keepAlive,
    ...(options.maxSockets === undefined ? {} : { maxSockets: options.maxSockets })
  }
  const httpAgent = new Http.Agent(poolOptions)
  const httpsAgent = new Https.Agent({ ...poolOptions, ...(options.ca === undefined ? {} : { ca: options.ca }) })
  const connectTimeoutMs = Duration.toMillis(Duration.decode(options.connectTimeout ?? defaultConnectTimeout))

  const client = HttpClient.make((request, url, signal) =>
    Effect.flatMap(
      Effect.mapError(
        requestBody(request),
        (cause) => new HttpClientError.RequestError({ request, reason: "Encode", cause })
      ),
      (body) =>
        Effect.async<HttpClientResponse.HttpClientResponse, HttpClientError.RequestError>((resume) => {
          const tls = url.protocol === "https:"
          let headers: Record<string, string> = { ...request.headers }
          if (body?.type !== undefined) headers = { ...headers, "content-type": body.type }
          if (body?.bytes !== undefined && headers["content-length"] === undefined) {
            headers["content-length"] = String(Buffer.byteLength(body.bytes))
          }
          const outgoing = (tls ? Https : Http).request(url, {
            method: request.method,
            headers,
            agent: tls ? httpsAgent : httpAgent,
            signal
          })
          outgoing.once("socket", (socket) => {
            // A pooled keep-alive socket is already connected; a new one gets `connectTimeout` to
            // finish its TCP (and TLS) handshake, so a black-holed endpoint fails fast.
            if (!socket.connecting) return
            const timer = setTimeout(
              () => outgoing.destroy(connectTimeoutError(url, connectTimeoutMs)),
              connectTimeoutMs
            )
            const clear = () => clearTimeout(timer)
            socket.once(tls ? "secureConnect" : "connect", clear)
            socket.once("close", clear)
          })
          outgoing.once("response", (incoming) => resume(Effect.succeed(new NodeClientResponse(request, incoming))))
          // `on`, not `once`: should the request emit a second error (its socket breaking after the
          // response was handed over), the body's reader reports it and a second resume is ignored,
          // but an 'error' event without a listener would crash the process.
          outgoing.on("error", (cause) =>
            resume(Effect.fail(new HttpClientError.RequestError({ request, reason: "Transport", cause })))
          )
          if (body?.stream !== undefined) body.stream.pipe(outgoing)
          else outgoing.end(body?.bytes)
          return Effect.sync(() => outgoing.destroy())
        })
    )
  )
  return {
    client,
    destroy: () => {
      httpAgent.destroy()
      httpsAgent.destroy()
    }
  }
}
