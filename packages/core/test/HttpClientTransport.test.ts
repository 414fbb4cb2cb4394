/**
 * The bridge for programs that bring their own `@effect/platform` `HttpClient`: clients made with
 * `HttpClient.make` answer with real `Response`s, so the platform's own response reading runs.
 */
import * as Headers from "@effect/platform/Headers"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as FiberRef from "effect/FiberRef"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import {
  CertificatePinning,
  Environment,
  FileReader,
  HttpClientTransport,
  HttpTransport,
  ManagedIdentity
} from "../src/index.js"
import { serving } from "./support/loopbackServer.js"

const URL_ = "http://127.0.0.1:8081/msi/token"
const MAX = 65_536

/** A client answering every request with `respond()`. */
const answering = (respond: () => Response) =>
  HttpClient.make((request) => Effect.succeed(HttpClientResponse.fromWeb(request, respond())))

const send = (client: HttpClient.HttpClient, request = HttpClientRequest.get(URL_), maxBodyBytes = MAX) =>
  HttpClientTransport.fromHttpClient(client).send(request, { maxBodyBytes })

const endless = () => {
  const counts = { pulled: 0 }
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      counts.pulled += 1024
      controller.enqueue(new Uint8Array(1024).fill(120))
    }
  })
  return { counts, stream }
}

describe("HttpClientTransport.fromHttpClient", () => {
  it.effect("answers with the status, lower-case headers and the body", () =>
    Effect.gen(function* () {
      const client = answering(
        () =>
          new Response("héllo", { status: 201, headers: { "X-Ms-Request-Id": "abc", "Content-Type": "text/plain" } })
      )
      expect(yield* send(client)).toEqual({
        status: 201,
        headers: { "x-ms-request-id": "abc", "content-type": "text/plain" },
        body: "héllo"
      })
    })
  )

  it.effect("reads an absent body as the empty string", () =>
    Effect.gen(function* () {
      expect(yield* send(answering(() => new Response(null, { status: 204 })))).toMatchObject({ status: 204, body: "" })
    })
  )

  it.effect("accepts exactly the cap and refuses one byte more", () =>
    Effect.gen(function* () {
      expect(
        (yield* send(
          answering(() => new Response("x".repeat(10))),
          undefined,
          10
        )).body
      ).toHaveLength(10)
      const error = yield* Effect.flip(
        send(
          answering(() => new Response("x".repeat(11))),
          undefined,
          10
        )
      )
      expect(error).toMatchObject({ _tag: "TransportError", reason: "too-large", status: 200 })
    })
  )

  it.effect("stops reading an endless body just past the cap", () =>
    Effect.gen(function* () {
      const { counts, stream } = endless()
      const error = yield* Effect.flip(send(answering(() => new Response(stream, { status: 500 }))))
      expect(error).toMatchObject({ reason: "too-large", status: 500 })
      expect(counts.pulled).toBeLessThan(MAX + 16 * 1024)
    })
  )

  it.effect("refuses a declared Content-Length over the cap without reading the body", () =>
    Effect.gen(function* () {
      const { counts, stream } = endless()
      const error = yield* Effect.flip(
        send(answering(() => new Response(stream, { headers: { "content-length": "100000" } })))
      )
      expect(error).toMatchObject({ reason: "too-large", status: 200 })
      expect(counts.pulled).toBeLessThanOrEqual(1024)
    })
  )

  it.effect("reports a body that breaks off as a body error with the status and the runtime's error", () =>
    Effect.gen(function* () {
      const broken = Object.assign(new Error("other side closed"), { code: "UND_ERR_SOCKET" })
      const stream = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(new TextEncoder().encode('{"access_token":"eyJ'))
          controller.error(broken)
        }
      })
      const error = yield* Effect.flip(send(answering(() => new Response(stream, { status: 200 }))))
      expect(error).toMatchObject({
        _tag: "TransportError",
        reason: "body",
        status: 200,
        message: "the body broke off while it was being read"
      })
      expect(error.cause).toBe(broken)
    })
  )

  it.effect("reports a request error as a request error carrying its cause, not the request", () =>
    Effect.gen(function* () {
      const refused = new TypeError("fetch failed", {
        cause: Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:8081"), { code: "ECONNREFUSED" })
      })
      const client = HttpClient.make((request) =>
        Effect.fail(new HttpClientError.RequestError({ request, reason: "Transport", cause: refused }))
      )
      const error = yield* Effect.flip(send(client))
      expect(error).toMatchObject({ _tag: "TransportError", reason: "request", message: "the request failed" })
      expect(error.cause).toBe(refused)
    })
  )

  it.effect("keeps the platform's error as the cause when it has none of its own", () =>
    Effect.gen(function* () {
      const client = HttpClient.make((request) =>
        Effect.fail(new HttpClientError.RequestError({ request, reason: "Encode" }))
      )
      const error = yield* Effect.flip(send(client))
      expect(error.reason).toBe("request")
      expect(error.cause).toMatchObject({ _tag: "RequestError", reason: "Encode" })
    })
  )

  it.effect("redacts the secret headers and turns off the http.client span while the request is in flight", () =>
    Effect.gen(function* () {
      const SECRET = "the-identity-header-value"
      let redacted: Record<string, unknown> = {}
      let redactedNames: ReadonlyArray<string | RegExp> = []
      let tracerDisabled: boolean | undefined
      const client = HttpClient.make((request, _url, _signal, fiber) => {
        redactedNames = fiber.getFiberRef(Headers.currentRedactedNames)
        redacted = Headers.redact(request.headers, redactedNames)
        tracerDisabled = fiber.getFiberRef(HttpClient.currentTracerDisabledWhen)(request)
        return Effect.succeed(HttpClientResponse.fromWeb(request, new Response("{}")))
      })
      const request = HttpClientRequest.get(URL_).pipe(
        HttpClientRequest.setHeaders({
          "X-IDENTITY-HEADER": SECRET,
          secret: SECRET,
          authorization: `Basic ${SECRET}`,
          metadata: "true"
        })
      )
      yield* send(client, request)
      for (const name of HttpClientTransport.SECRET_HEADERS) expect(redactedNames).toContain(name)
      for (const name of ["x-identity-header", "secret", "authorization"]) {
        expect(Redacted.isRedacted(redacted[name])).toBe(true)
      }
      expect(redacted.metadata).toBe("true")
      expect(JSON.stringify(redacted)).not.toContain(SECRET)
      expect(tracerDisabled).toBe(true)
      // Only while the request is in flight: the program's own settings are left as they were.
      expect(yield* FiberRef.get(Headers.currentRedactedNames)).not.toContain("x-identity-header")
    })
  )

  it.effect("is provided by layer over the HttpClient in context", () =>
    Effect.gen(function* () {
      const client = answering(() => new Response("from the layer"))
      const answer = yield* Effect.flatMap(HttpTransport.HttpTransport, (transport) =>
        transport.send(HttpClientRequest.get(URL_), { maxBodyBytes: MAX })
      ).pipe(
        Effect.provide(HttpClientTransport.layer.pipe(Layer.provide(Layer.succeed(HttpClient.HttpClient, client))))
      )
      expect(answer.body).toBe("from the layer")
    })
  )

  it.live("carries ManagedIdentity's token requests over the platform's FetchHttpClient (docs/configuration.md)", () =>
    Effect.gen(function* () {
      const server = yield* serving((_request, response) => {
        response.writeHead(200, { "content-type": "application/json" })
        response.end(JSON.stringify({ access_token: "eyJ.fetched.token", expires_in: "3599", token_type: "Bearer" }))
      })
      const services = Layer.mergeAll(
        HttpClientTransport.layer.pipe(Layer.provide(FetchHttpClient.layer)),
        Environment.layer({ AZURE_POD_IDENTITY_AUTHORITY_HOST: `http://127.0.0.1:${server.port}` }),
        FileReader.layer(FileReader.unsupported("this program reads no files")),
        CertificatePinning.unsupported("this program does not pin certificates")
      )
      const token = yield* ManagedIdentity.getToken("https://vault.azure.net/.default").pipe(
        Effect.provide(
          ManagedIdentity.layer({ endpointGuard: ManagedIdentity.allowLoopbackOnly }).pipe(Layer.provide(services))
        )
      )
      expect(token.token).toBe("eyJ.fetched.token")
      expect(token.resource).toBe("https://vault.azure.net")
      expect(server.received).toHaveLength(1)
      expect(server.received[0]?.headers.metadata).toBe("true")
      expect(server.received[0]?.url).toContain("resource=https%3A%2F%2Fvault.azure.net")
    }).pipe(Effect.scoped)
  )
})
