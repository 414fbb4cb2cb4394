/**
 * Reading a token endpoint's answer. `parse` is pure: it takes the status, headers and body text
 * and returns an `AccessToken` or an `InvalidResponse` that names the source, the status and
 * what was wrong (not JSON, an HTML page, over 64 KiB, no token, no usable expiry). Transports
 * read bodies under the same cap (`HttpTransport.boundedBody`).
 *
 * Every endpoint writes the same fields a little differently: `expires_in`, `expires_on`,
 * `not_before` and `refresh_in` arrive as numbers or numeric strings (the documentation's own
 * sample has `"expires_in": "3599"`), and the 2017-09-01 endpoints write `expires_on` as a date
 * such as `09/14/2017 00:00:00 PM +00:00`.
 *
 * @since 0.1.0
 */
import * as Either from "effect/Either"
import * as Resource from "./Resource.js"
import { AccessToken, refreshOnFor } from "./AccessToken.js"
import { InvalidResponse } from "./ManagedIdentityError.js"
import type { SourceName } from "./SourceName.js"
import { errorDetails, isHtml, parseJson } from "./internal/sourceErrorBody.js"
import { quote, stripQuery } from "./internal/sourceSecrets.js"
import * as Claims from "./internal/jwtClaims.js"
import * as Expiry from "./internal/tokenExpiry.js"

/**
 * The largest body accepted: 64 KiB. A token response is a few kilobytes; anything larger is
 * not one, and reading it would only cost memory.
 *
 * @since 0.1.0
 * @category constants
 */
export const MAX_BODY_BYTES = 65_536

/**
 * One endpoint answer to read.
 *
 * @since 0.1.0
 * @category models
 */
export interface ParseInput {
  readonly source: SourceName
  readonly status: number
  /** Response headers (names in any case); only `content-type` and correlation ids are read. */
  readonly headers?: Readonly<Record<string, string | undefined>> | undefined
  /** The body, as text. */
  readonly body: string
  /** Now, in epoch milliseconds: `expires_in` counts from here and an expiry before it is refused. */
  readonly now: number
  /** The resource that was requested, used when the body does not name one. */
  readonly resource: string
  readonly attempts?: number | undefined
  readonly elapsedMs?: number | undefined
  readonly endpoint?: string | undefined
  /** Secret values sent with the request, never to be quoted from the body. */
  readonly secrets?: ReadonlyArray<string> | undefined
}

// The token response's fields, checked by hand (a Schema would cost the edge bundle ~12 KiB
// gzipped for seven fields). Types only: conversion (strings to numbers, dates) happens after,
// with the source's own reading of each field. `null` counts as absent, as some endpoints send it.
type Check = (value: unknown) => boolean
const string: Check = (value) => typeof value === "string"

// The expiry fields are read below (one usable one is enough); these must have their type when present.
const FIELDS: ReadonlyArray<readonly [field: string, check: Check]> = [
  ["token_type", string],
  ["resource", string]
]

// An empty string where a number belongs says nothing: endpoints send `"expires_in": ""` next to a
// valid `expires_on` (azidentity's tests), and that must not lose the token.
const blank = (value: unknown): boolean =>
  value === undefined || value === null || (typeof value === "string" && value.trim() === "")

interface TokenFields {
  readonly expires_in?: number | string | null | undefined
  readonly expires_on?: number | string | null | undefined
  readonly not_before?: number | string | null | undefined
  readonly refresh_in?: number | string | null | undefined
  readonly token_type?: string | null | undefined
  readonly resource?: string | null | undefined
}

/** The first field whose type is wrong, or `undefined` when every field can be read. */
const invalidField = (body: Record<string, unknown>): string | undefined => {
  for (const [field, check] of FIELDS) {
    const value = body[field]
    if (value !== undefined && value !== null && !check(value)) return field
  }
  return undefined
}

const isRecord = (u: unknown): u is Record<string, unknown> => typeof u === "object" && u !== null && !Array.isArray(u)

const utf8 = new TextEncoder()

/**
 * Parses a successful token response into an `AccessToken`, or says precisely why it is not one.
 * Never throws; never quotes the token.
 *
 * @since 0.1.0
 * @category parsing
 * @example
 * ```ts
 * import * as Either from "effect/Either"
 * import { TokenResponse } from "@managed-identity/core"
 *
 * const result = TokenResponse.parse({
 *   source: "IMDS",
 *   status: 200,
 *   body: JSON.stringify({ access_token: "eyJ0eXAi...", expires_in: "3599", token_type: "Bearer" }),
 *   now: Date.now(),
 *   resource: "https://management.azure.com/"
 * })
 * if (Either.isRight(result)) console.log(result.right.expiresOn)
 * ```
 */
export const parse = (input: ParseInput): Either.Either<AccessToken, InvalidResponse> => {
  const { source, status, now } = input
  const secrets = input.secrets ?? []
  const headers = lowerCase(input.headers)
  const fail = (reason: InvalidResponse["reason"], what: string) =>
    Either.left(
      new InvalidResponse({
        source,
        status,
        reason,
        message: `${source} answered ${status} ${what}`,
        attempts: input.attempts ?? 1,
        elapsedMs: input.elapsedMs ?? 0,
        endpoint: input.endpoint === undefined ? undefined : stripQuery(input.endpoint),
        correlationId: correlationIdOf(headers, secrets)
      })
    )

  const body = typeof input.body === "string" ? input.body : ""
  // Every UTF-16 unit takes at least one UTF-8 byte, so a long string is too large unencoded.
  if (body.length > MAX_BODY_BYTES || utf8.encode(body).byteLength > MAX_BODY_BYTES) {
    return fail("too-large", `with a body over ${MAX_BODY_BYTES} bytes, too large to be a token response`)
  }
  if (isHtml(body, headers["content-type"])) {
    return fail("html", "with an HTML page instead of a token (a proxy, a captive portal or a wrong endpoint?)")
  }
  const trimmed = body.trim()
  if (trimmed.length === 0) return fail("truncated", "with an empty body instead of a token")

  const json = parseJson(trimmed)
  if (!json.ok) {
    if (trimmed.startsWith("{") && !trimmed.endsWith("}")) {
      return fail("truncated", "with a JSON body that ends early (the connection was probably cut)")
    }
    return fail("not-json", `with a body that is not JSON: "${quote(trimmed, secrets, 80)}"`)
  }
  if (!isRecord(json.value)) {
    return fail("not-json", "with JSON that is not an object")
  }

  const token = json.value.access_token
  if (typeof token !== "string" || token.trim().length === 0) {
    const details = errorDetails(trimmed, undefined, secrets)
    const said =
      details.error !== undefined || details.description !== undefined
        ? ` (it says ${[details.error, details.description].filter((s) => s !== undefined).join(": ")})`
        : ""
    return fail(
      "missing-token",
      token === undefined || token === null
        ? `without an access_token${said}`
        : `with an empty or non-text access_token${said}`
    )
  }

  // It goes into an `Authorization: Bearer …` header: visible ASCII only (RFC 6750's b64token and
  // every real token are), or a client that does not check would send a split or forged header.
  if (!headerSafeToken.test(token)) {
    return fail(
      "invalid-token",
      "with an access_token that cannot be sent in an Authorization header (it holds whitespace, control or non-ASCII characters; it is not shown)"
    )
  }

  const field = invalidField(json.value)
  // Name the field, never its value.
  if (field !== undefined) return fail("invalid-field", `with ${field} that is not text`)
  const fields = json.value as TokenFields

  // The first expiry that can be read wins: expires_on (an absolute time), else expires_in. Blank
  // fields are absent; an unreadable one is fatal only when no other can be read.
  const onGiven = !blank(fields.expires_on)
  const inGiven = !blank(fields.expires_in)
  const absolute = onGiven ? Expiry.expiresOn(fields.expires_on) : undefined
  const secondsLeft = absolute === undefined && inGiven ? Expiry.seconds(fields.expires_in) : undefined
  let expiresOn: number
  if (absolute !== undefined) expiresOn = absolute
  else if (secondsLeft !== undefined) expiresOn = Math.round(now + secondsLeft * 1000)
  else if (onGiven) return fail("invalid-field", "with an expires_on that is not a time")
  else if (inGiven) return fail("invalid-field", "with an expires_in that is not a number of seconds")
  else return fail("invalid-field", "without an expiry (neither expires_on nor expires_in)")
  if (!Expiry.isRepresentable(expiresOn)) return fail("invalid-field", "with an expiry that is not a valid time")
  if (expiresOn <= now) return fail("invalid-field", "with a token that has already expired")

  // Advice, not a promise: an unreadable refresh_in is ignored (the lifetime rule applies).
  const refreshIn = blank(fields.refresh_in) ? undefined : Expiry.seconds(fields.refresh_in)
  const tokenType =
    typeof fields.token_type === "string" && fields.token_type.trim() !== "" ? fields.token_type : "Bearer"
  // The endpoint's own word for the resource is shown to people (logs, the CLI): keep it only if it
  // is a resource URI (no control characters, no spaces) and does not carry the token itself.
  const reported = typeof fields.resource === "string" ? Resource.make(fields.resource) : undefined
  const resource =
    typeof fields.resource === "string" &&
    reported !== undefined &&
    Either.isRight(reported) &&
    !reported.right.includes(token)
      ? fields.resource
      : input.resource

  return Either.right(
    new AccessToken({
      issuedOn: Claims.time(Claims.claimsOf(token), "iat"),
      token,
      expiresOn,
      refreshOn: refreshOnFor({ now, expiresOn, refreshInMs: refreshIn === undefined ? undefined : refreshIn * 1000 }),
      tokenType,
      resource
    })
  )
}

const headerSafeToken = /^[\x21-\x7e]+$/

const lowerCase = (headers: ParseInput["headers"]): Record<string, string> => {
  const out: Record<string, string> = {}
  if (headers === undefined || headers === null) return out
  for (const [name, value] of Object.entries(headers)) {
    if (typeof value === "string") out[name.toLowerCase()] = value
  }
  return out
}

const correlationIdOf = (headers: Record<string, string>, secrets: ReadonlyArray<string>): string | undefined => {
  for (const name of ["x-ms-request-id", "x-ms-correlation-request-id", "client-request-id"]) {
    const value = headers[name]
    if (value !== undefined && value.trim() !== "") return quote(value, secrets, 100)
  }
  return undefined
}
