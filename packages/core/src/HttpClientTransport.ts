/**
 * An `HttpTransport` over any `@effect/platform` `HttpClient`: for programs that want their own
 * client (a proxy-aware one, one with their middleware) to carry the token requests. The runtime
 * adapters do not use it; they send with the runtime's own HTTP stack, which is smaller and
 * faster to load.
 *
 * The client's `http.client` span is turned off for these requests (its attributes would hold the
 * secret headers), and the secret header names are added to `Headers.currentRedactedNames` while a
 * request is in flight, so the client's own logs show `<redacted>`.
 *
 * @since 0.1.0
 */
import * as Headers from "@effect/platform/Headers"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"
import {
  type Answer,
  HttpTransport,
  type Request,
  type Service,
  TransportError,
  boundedBody,
  declaredTooLarge,
  tooLarge
} from "./HttpTransport.js"

/**
 * Header names whose values are secrets: App Service's and Service Fabric's, Azure ML's `secret`,
 * Arc's Basic key, and the defaults `@effect/platform` already redacts.
 *
 * @since 0.1.0
 * @category constants
 */
export const SECRET_HEADERS: ReadonlyArray<string> = [
  "authorization",
  "cookie",
  "set-cookie",
  "x-api-key",
  "secret",
  "x-identity-header",
  "x-ms-client-assertion"
]

// Core's request as the platform's: same method, URL, headers and (text) body.
const toHttpClientRequest = (request: Request): HttpClientRequest.HttpClientRequest => {
  const base = HttpClientRequest.make(request.method)(request.url, { headers: request.headers })
  return request.body === undefined
    ? base
    : HttpClientRequest.bodyText(base, request.body.text, request.body.contentType)
}

/**
 * The transport over one `HttpClient`. The body is read as a stream, holding at most the cap + 1
 * byte; a client that follows redirects should not be used (token endpoints never redirect).
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import * as Effect from "effect/Effect"
 * import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
 * import * as HttpClient from "@effect/platform/HttpClient"
 * import { HttpClientTransport } from "@managed-identity/core"
 *
 * const transport = Effect.map(HttpClient.HttpClient, HttpClientTransport.fromHttpClient).pipe(
 *   Effect.provide(FetchHttpClient.layer)
 * )
 * ```
 */
export const fromHttpClient = (client: HttpClient.HttpClient): Service => ({
  send: (request, { maxBodyBytes }) =>
    client.execute(toHttpClientRequest(request)).pipe(
      Effect.mapError(
        (cause) => new TransportError({ reason: "request", cause: cause.cause ?? cause, message: "the request failed" })
      ),
      Effect.flatMap((response) => {
        const headers: Record<string, string> = {}
        for (const [name, value] of Object.entries(response.headers)) headers[name.toLowerCase()] = value
        if (declaredTooLarge(headers["content-length"], maxBodyBytes)) {
          return Effect.fail(tooLarge(response.status, maxBodyBytes))
        }
        const body = boundedBody(maxBodyBytes)
        return response.stream.pipe(
          Stream.runForEachWhile((chunk) => Effect.sync(() => body.push(chunk))),
          Effect.catchAll((error) =>
            error.reason === "EmptyBody"
              ? Effect.void
              : Effect.fail(
                  new TransportError({
                    reason: "body",
                    status: response.status,
                    cause: error.cause,
                    message: "the body broke off while it was being read"
                  })
                )
          ),
          Effect.flatMap(() => {
            const text = body.text()
            return text === undefined
              ? Effect.fail(tooLarge(response.status, maxBodyBytes))
              : Effect.succeed<Answer>({ status: response.status, headers, body: text })
          })
        )
      }),
      Effect.scoped,
      Effect.locallyWith(Headers.currentRedactedNames, (names) => [...names, ...SECRET_HEADERS]),
      Effect.locally(HttpClient.currentTracerDisabledWhen, () => true)
    )
})

/**
 * The transport over the `HttpClient` in context.
 *
 * @since 0.1.0
 * @category layers
 * @example
 * ```ts
 * import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
 * import * as Layer from "effect/Layer"
 * import { HttpClientTransport } from "@managed-identity/core"
 *
 * const transport = HttpClientTransport.layer.pipe(Layer.provide(FetchHttpClient.layer))
 * ```
 */
export const layer: Layer.Layer<HttpTransport, never, HttpClient.HttpClient> = Layer.effect(
  HttpTransport,
  Effect.map(HttpClient.HttpClient, fromHttpClient)
)
