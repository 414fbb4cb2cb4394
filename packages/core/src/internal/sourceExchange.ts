/**
 * What every source does the same way: validate an endpoint URL from the environment, refuse an
 * identity it cannot select, send one request without leaking its secret header, read the body
 * under the size cap, then parse a 2xx or classify anything else.
 *
 * @internal
 */
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Redacted from "effect/Redacted"
import type { AccessToken } from "../AccessToken.js"
import { classify } from "../Classification.js"
import type { Answer, Service as HttpTransportService } from "../HttpTransport.js"
import * as Identity from "../Identity.js"
import {
  type EndpointError,
  InvalidArgument,
  InvalidResponse,
  Rejected,
  Transient,
  Unavailable
} from "../ManagedIdentityError.js"
import type { SourceName } from "../SourceName.js"
import * as TokenResponse from "../TokenResponse.js"
import { quote, safeUrl, stripQuery } from "./sourceSecrets.js"

/**
 * Reads an endpoint URL from an environment variable: absolute, http or https, no credentials.
 *
 * @internal
 */
export const endpointFromVariable = (variable: string, value: string): Either.Either<URL, InvalidArgument> => {
  const url = safeUrl(value.trim())
  const invalid = (why: string) =>
    Either.left(
      new InvalidArgument({
        argument: variable,
        message: `${variable}: "${quote(stripQuery(value), [], 120)}" ${why}`
      })
    )
  if (url === undefined) return invalid("is not a valid absolute URL")
  if (url.protocol !== "http:" && url.protocol !== "https:") return invalid("must be an http:// or https:// URL")
  if (url.username !== "" || url.password !== "") return invalid("must not contain a user name or password")
  url.hash = ""
  return Either.right(url)
}

/**
 * Reads a secret header value from an environment variable: printable text only, so it cannot
 * split or forge headers. The message never quotes the value.
 *
 * @internal
 */
export const secretFromVariable = (
  variable: string,
  value: string
): Either.Either<Redacted.Redacted<string>, InvalidArgument> =>
  isHeaderValue(value)
    ? Either.right(Redacted.make(value))
    : Either.left(
        new InvalidArgument({
          argument: variable,
          message: `${variable}: contains characters that are not allowed in an HTTP header (its value is not shown)`
        })
      )

/**
 * Whether a string can be sent as an HTTP header value (visible ASCII and inner spaces).
 *
 * @internal
 */
export const isHeaderValue = (value: string): boolean => /^[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?$/.test(value)

/**
 * Whether a host name is the loopback interface (where plain http is acceptable for Entra).
 *
 * @internal
 */
export const isLoopback = (url: URL): boolean =>
  url.hostname === "localhost" || url.hostname === "[::1]" || /^127(?:\.\d{1,3}){3}$/.test(url.hostname)

/**
 * The endpoint as a source prints it: scheme, host and path.
 *
 * @internal
 */
export const printable = (url: URL): string => stripQuery(url.toString())

/**
 * Refuses identity ids with whitespace or control characters: URLSearchParams would encode
 * them safely, but no real id contains them, so they are a caller's mistake or an attack.
 *
 * @internal
 */
export const checkIdentity = (identity: Identity.Identity): Either.Either<Identity.Identity, InvalidArgument> => {
  if (identity._tag === "SystemAssigned") return Either.right(identity)
  const argument = identity._tag === "ClientId" ? "clientId" : identity._tag === "ObjectId" ? "objectId" : "resourceId"
  if (typeof identity.id !== "string" || !/^[\x21-\x7e]{1,1024}$/.test(identity.id)) {
    return Either.left(
      new InvalidArgument({
        argument,
        message: `${argument}: must be a non-empty id without spaces or control characters`
      })
    )
  }
  return Either.right(identity)
}

/**
 * The refusal of a source that cannot select the requested identity.
 *
 * @internal
 */
export const unsupportedIdentity = (
  source: SourceName,
  identity: Identity.Identity,
  endpoint: string,
  why: string
): Unavailable =>
  new Unavailable({
    source,
    reason: "unsupported-identity",
    message: `${source} cannot select a ${Identity.describe(identity)}: ${why}`,
    attempts: 0,
    elapsedMs: 0,
    endpoint
  })

/**
 * Where and how one exchange happens.
 *
 * @internal
 */
export interface Exchange {
  readonly source: SourceName
  readonly endpoint: string
  readonly resource: string
  /** Secret values in the request, scrubbed from anything quoted. */
  readonly secrets: ReadonlyArray<string>
  readonly startedAt: number
  readonly attempts: number
}

/**
 * Sends one request and reads its answer under the body cap. Transport failures are classified;
 * the request itself (whose headers hold the secret) never ends up in an error.
 *
 * @internal
 */
export const send = (
  client: HttpTransportService,
  request: HttpClientRequest.HttpClientRequest,
  exchange: Exchange
): Effect.Effect<Answer, EndpointError> =>
  Effect.catchAll(client.send(request, { maxBodyBytes: TokenResponse.MAX_BODY_BYTES }), (error) =>
    Effect.flatMap(Clock.currentTimeMillis, (now) => {
      const elapsedMs = Math.max(0, now - exchange.startedAt)
      const context = {
        source: exchange.source,
        status: error.status,
        attempts: exchange.attempts,
        elapsedMs,
        endpoint: exchange.endpoint
      }
      switch (error.reason) {
        case "too-large":
          return Effect.fail(
            new InvalidResponse({
              ...context,
              reason: "too-large",
              message: `${exchange.source} answered ${error.status} with a body over ${TokenResponse.MAX_BODY_BYTES} bytes, too large to be a token response`
            })
          )
        case "body":
          return Effect.fail(
            new Transient({
              ...context,
              reason: "body-interrupted",
              message: `${exchange.source}: the answer's body broke off while it was being read`
            })
          )
        case "encode":
          return Effect.fail(
            new Rejected({
              ...context,
              error: "invalid_request",
              message: `${exchange.source}: the request was not sent: ${error.message}`
            })
          )
        case "request":
          return Effect.fail(
            classify({
              source: exchange.source,
              transport: error.cause ?? error,
              attempts: exchange.attempts,
              elapsedMs,
              endpoint: exchange.endpoint,
              now,
              secrets: exchange.secrets
            })
          )
      }
    })
  )

/**
 * Reads an answer: a 2xx is parsed as a token, anything else is classified.
 *
 * @internal
 */
export const interpret = (
  answer: Answer,
  exchange: Exchange,
  now: number
): Either.Either<AccessToken, EndpointError> => {
  const elapsedMs = Math.max(0, now - exchange.startedAt)
  if (answer.status >= 200 && answer.status <= 299) {
    return TokenResponse.parse({
      source: exchange.source,
      status: answer.status,
      headers: answer.headers,
      body: answer.body,
      now,
      resource: exchange.resource,
      attempts: exchange.attempts,
      elapsedMs,
      endpoint: exchange.endpoint,
      secrets: exchange.secrets
    })
  }
  return Either.left(
    classify({
      source: exchange.source,
      status: answer.status,
      headers: answer.headers,
      body: answer.body,
      attempts: exchange.attempts,
      elapsedMs,
      endpoint: exchange.endpoint,
      now,
      secrets: exchange.secrets
    })
  )
}

/**
 * A request that was refused before sending (an invalid id): not retried, so `Rejected`.
 *
 * @internal
 */
export const refusedBeforeSending = (source: SourceName, endpoint: string, error: InvalidArgument): Rejected =>
  new Rejected({
    source,
    error: "invalid_argument",
    message: `${source}: the request was not sent: ${error.message}`,
    attempts: 0,
    elapsedMs: 0,
    endpoint
  })

/**
 * Builds, sends and reads one request: the whole of `acquire` for the sources without a
 * challenge.
 *
 * @internal
 */
export const acquireOnce = <R>(options: {
  readonly source: SourceName
  readonly endpoint: string
  readonly resource: string
  readonly secrets: ReadonlyArray<string>
  readonly request: Either.Either<HttpClientRequest.HttpClientRequest, Unavailable | InvalidArgument>
  readonly client: Effect.Effect<HttpTransportService, EndpointError, R>
}): Effect.Effect<AccessToken, EndpointError, R> =>
  Effect.gen(function* () {
    const request = yield* Either.mapLeft(options.request, (error) =>
      error._tag === "InvalidArgument" ? refusedBeforeSending(options.source, options.endpoint, error) : error
    )
    const client = yield* options.client
    const startedAt = yield* Clock.currentTimeMillis
    const exchange: Exchange = {
      source: options.source,
      endpoint: options.endpoint,
      resource: options.resource,
      secrets: options.secrets,
      startedAt,
      attempts: 1
    }
    const answer = yield* send(client, request, exchange)
    const now = yield* Clock.currentTimeMillis
    return yield* interpret(answer, exchange, now)
  })

/**
 * The token URL every GET source builds: its endpoint with `api-version`, `resource` and, for a
 * user-assigned identity, the source's own name for the id (`client_id`, `principal_id`, ...).
 * Built with URLSearchParams so no value can add a parameter or change the host.
 */
export const tokenUrl = (
  endpoint: URL,
  apiVersion: string,
  resource: string,
  selector?: readonly [name: string, value: string] | undefined
): URL => {
  const url = new URL(endpoint)
  url.searchParams.set("api-version", apiVersion)
  url.searchParams.set("resource", resource)
  if (selector !== undefined) url.searchParams.set(selector[0], selector[1])
  return url
}

/** The `[parameter, id]` pair for a user-assigned identity, from a source's parameter names. */
export const identitySelector = (
  identity: Identity.Identity,
  names: { readonly ClientId: string; readonly ObjectId: string; readonly ResourceId: string }
): readonly [string, string] | undefined =>
  identity._tag === "SystemAssigned" ? undefined : [names[identity._tag], identity.id]
