/**
 * The bridge for programs that bring their own `@effect/platform` `HttpClient`: clients made with
 * `HttpClient.make` answer with real `Response`s, so the platform's own response reading runs.
 */
import * as Headers from "@effect/platform/Headers"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
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
import { answerSuite } from "./support/answerSuite.js"
import { serving } from "./support/loopbackServer.js"

const URL_ = "http://127.0.0.1:8081/msi/token"
const MAX = 65_536

/** A client answering every request with `respond()`. */
const answering = (respond: () => Response) =>
  HttpClient.make((request) => Effect.succeed(HttpClientResponse.fromWeb(request, respond())))

const send = (client: HttpClient.HttpClient, request = HttpTransport.get(URL_), maxBodyBytes = MAX) =>
  HttpClientTransport.fromHttpClient(client).send(request, { maxBodyBytes })

answerSuite("HttpClientTransport.fromHttpClient", (respond) => HttpClientTransport.fromHttpClient(answering(respond)), {
  cancelsTheBody: false
})

describe("HttpClientTransport.fromHttpClient", () => {
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
      const request = HttpTransport.get(URL_, {
        "X-IDENTITY-HEADER": SECRET,
        secret: SECRET,
        authorization: `Basic ${SECRET}`,
        metadata: "true"
      })
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
        transport.send(HttpTransport.get(URL_), { maxBodyBytes: MAX })
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
