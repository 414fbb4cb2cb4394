/**
 * What every source's protocol does the same way, as pure functions: read its variables, select an
 * identity the way its descriptor says, build the steps of an exchange, and read an answer (parse a
 * 2xx, classify anything else with the source's own rules) or a transport failure. No Effect
 * runtime: the Promise API's first request uses these without loading it.
 *
 * @internal
 */
import * as Either from "effect/Either"
import * as Redacted from "effect/Redacted"
import type { AccessToken } from "../AccessToken.js"
import { classify } from "../Classification.js"
import type { Answer, Request, TransportError } from "../HttpRequest.js"
import * as Identity from "../Identity.js"
import {
  type EndpointError,
  InvalidArgument,
  InvalidResponse,
  Rejected,
  Transient,
  Unavailable
} from "../ManagedIdentityError.js"
import type {
  AcquireRequest,
  Descriptor,
  Exchange,
  IdentitySupport,
  Moment,
  Source,
  Step,
  Variable
} from "../Source.js"
import type { SourceName } from "../SourceName.js"
import * as TokenResponse from "../TokenResponse.js"

/**
 * The words for "these must be set": "X is not set", "X and Y must both be set", "X, Y and Z must
 * all be set".
 *
 * @internal
 */
export const mustBeSet = (names: ReadonlyArray<string>): string => {
  if (names.length === 1) return `${names[0]} is not set`
  const list = `${names.slice(0, -1).join(", ")} and ${names.at(-1)}`
  return `${list} must ${names.length === 2 ? "both" : "all"} be set`
}

/**
 * The values of a source's variables, or `Unavailable` (`not-configured`) naming the required ones
 * when one is missing. Variables are expected normalized (empty values removed).
 *
 * @internal
 */
export const readVariables = <const V extends ReadonlyArray<Variable>>(
  source: SourceName,
  variables: Readonly<Record<string, string | undefined>>,
  required: V,
  extra = ""
): Either.Either<{ readonly [K in keyof V]: string }, Unavailable> => {
  const values = required.map((variable) => variables[variable.name])
  if (values.some((value) => value === undefined || value === "")) {
    return Either.left(
      new Unavailable({
        source,
        reason: "not-configured",
        message: `${source}: ${mustBeSet(required.map((variable) => variable.name))}${extra}`,
        attempts: 0,
        elapsedMs: 0
      })
    )
  }
  return Either.right(values as unknown as { readonly [K in keyof V]: string })
}

/**
 * The `[parameter, id]` a source sends for an identity (nothing for the system-assigned one), or
 * the `Unavailable` (`unsupported-identity`) of a source that cannot select that kind.
 *
 * @internal
 */
export const identityParameter = (
  source: SourceName,
  identities: IdentitySupport,
  identity: Identity.Identity,
  endpoint: string
): Either.Either<readonly [string, string] | undefined, Unavailable> => {
  if (identity._tag === "SystemAssigned") return Either.right(undefined)
  const parameter = identities[identity._tag]
  return parameter === undefined
    ? Either.left(unsupportedIdentity(source, identity, endpoint, identities.unsupported))
    : Either.right([parameter, identity.id])
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
 * What a transport failure means: a body over the cap, a body that broke off, a request that could
 * not be encoded, or no answer at all (classified from the runtime's codes). The request itself
 * (whose headers hold the secret) never ends up in an error.
 *
 * @internal
 */
export const transportFailure = (error: TransportError, exchange: Exchange, at: Moment): EndpointError => {
  const context = {
    source: exchange.source,
    status: error.status,
    attempts: at.requests,
    elapsedMs: at.elapsedMs,
    endpoint: exchange.endpoint
  }
  switch (error.reason) {
    case "too-large":
      return new InvalidResponse({
        ...context,
        reason: "too-large",
        message: `${exchange.source} answered ${error.status} with a body over ${TokenResponse.MAX_BODY_BYTES} bytes, too large to be a token response`
      })
    case "body":
      return new Transient({
        ...context,
        reason: "body-interrupted",
        message: `${exchange.source}: the answer's body broke off while it was being read`
      })
    case "encode":
      return new Rejected({
        ...context,
        error: "invalid_request",
        message: `${exchange.source}: the request was not sent: ${error.message}`
      })
    case "request":
      return classify({
        source: exchange.source,
        rules: exchange.rules,
        transport: error.cause ?? error,
        attempts: at.requests,
        elapsedMs: at.elapsedMs,
        endpoint: exchange.endpoint,
        now: at.now,
        secrets: exchange.secrets
      })
  }
}

/**
 * Reads an answer: a 2xx is parsed as a token, anything else is classified.
 *
 * @internal
 */
export const interpret = (
  answer: Answer,
  exchange: Exchange,
  at: Moment
): Either.Either<AccessToken, EndpointError> => {
  if (answer.status >= 200 && answer.status <= 299) {
    return TokenResponse.parse({
      source: exchange.source,
      status: answer.status,
      headers: answer.headers,
      body: answer.body,
      now: at.now,
      resource: exchange.resource,
      attempts: at.requests,
      elapsedMs: at.elapsedMs,
      endpoint: exchange.endpoint,
      secrets: exchange.secrets
    })
  }
  return Either.left(
    classify({
      source: exchange.source,
      rules: exchange.rules,
      status: answer.status,
      headers: answer.headers,
      body: answer.body,
      attempts: at.requests,
      elapsedMs: at.elapsedMs,
      endpoint: exchange.endpoint,
      now: at.now,
      secrets: exchange.secrets
    })
  )
}

/**
 * The last step: a token or an error.
 *
 * @internal
 */
export const settle = (result: Either.Either<AccessToken, EndpointError>): Step =>
  Either.isRight(result) ? { _tag: "Done", token: result.right } : { _tag: "Failed", error: result.left }

/**
 * A step that fails.
 *
 * @internal
 */
export const failed = (error: EndpointError): Step => ({ _tag: "Failed", error })

/**
 * Sends one request and reads its answer as a token (or hands the answer to `next`).
 *
 * @internal
 */
export const send = (
  exchange: Exchange,
  request: Request,
  options: {
    readonly pinnedThumbprint?: string | undefined
    readonly next?: ((answer: Answer, at: Moment) => Step) | undefined
  } = {}
): Step => ({
  _tag: "Send",
  request,
  exchange,
  pinnedThumbprint: options.pinnedThumbprint,
  next: options.next ?? ((answer, at) => settle(interpret(answer, exchange, at)))
})

/**
 * The whole protocol of a source that sends one request: build it (or refuse before sending),
 * send it, read the answer.
 *
 * @internal
 */
export const exchangeOnce = (
  exchange: Exchange,
  request: Either.Either<Request, Unavailable>,
  pinnedThumbprint?: string | undefined
): Step => (Either.isLeft(request) ? failed(request.left) : send(exchange, request.right, { pinnedThumbprint }))

/**
 * A source that sends one request per token (IMDS, App Service, Azure ML, Cloud Shell): its first
 * step is that request, made by `request` (`secrets` are what the source's errors must never quote).
 *
 * @internal
 */
export const oneRequestSource = (
  descriptor: Descriptor,
  endpoint: string,
  secrets: ReadonlyArray<string>,
  request: (acquire: AcquireRequest) => Either.Either<Request, Unavailable>
): Source => ({
  name: descriptor.name,
  descriptor,
  endpoint,
  files: [],
  start: (acquire) =>
    exchangeOnce(
      { source: descriptor.name, rules: descriptor.classification, endpoint, resource: acquire.resource, secrets },
      request(acquire)
    )
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
