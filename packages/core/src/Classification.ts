/**
 * One pure function decides what every failure means: `classify` turns an endpoint's answer
 * (status, headers, body) or a transport failure into `Unavailable` (no endpoint here: a chain
 * moves on), `Transient` (retry), `Rejected` (do not retry) or `InvalidResponse`. It decides from
 * evidence only, never from message text: the HTTP status, the runtime's structured error code,
 * the body's shape (the endpoint's own JSON error, or HTML / plain text written by something
 * else), the content type and the `Server` header, and the source's own rules (its descriptor's
 * `classification`). The evidence travels in the error (`evidence`), and the endpoint's `error`,
 * description and correlation id are kept whole. Tested as a table.
 *
 * @since 0.1.0
 */
import { CONNECT_TIMEOUT_CODE } from "./HttpTransport.js"
import {
  type EndpointError,
  type Evidence,
  InvalidResponse,
  Rejected,
  Transient,
  Unavailable,
  type UnavailableReason
} from "./ManagedIdentityError.js"
import type { ClassificationRules } from "./Source.js"
import type { SourceName } from "./SourceName.js"
import { type ErrorDetails, errorDetails } from "./internal/sourceErrorBody.js"
import { quote, stripQueries, stripQuery } from "./internal/sourceSecrets.js"

/**
 * What kind of transport failure happened, whatever the runtime called it.
 *
 * @since 0.1.0
 * @category models
 */
export type TransportKind =
  | "connection-refused"
  | "access-denied"
  | "host-unreachable"
  | "dns"
  | "connect-timeout"
  | "connection-reset"
  | "timeout"
  | "certificate-rejected"
  | "network"

/**
 * Everything known about one failed attempt.
 *
 * @since 0.1.0
 * @category models
 */
export interface ClassifyInput {
  readonly source: SourceName
  /** The source's own reading of its error answers (its descriptor's `classification`). */
  readonly rules?: ClassificationRules | undefined
  /** The HTTP status, when the endpoint answered. */
  readonly status?: number | undefined
  /** Response headers (names in any case). */
  readonly headers?: Readonly<Record<string, string | undefined>> | undefined
  /** The response body, as text. */
  readonly body?: string | undefined
  /** The transport failure (any thrown value or Effect error), when there was no answer. */
  readonly transport?: unknown
  /** How many requests were made so far (default 1). */
  readonly attempts?: number | undefined
  /** Milliseconds since the first attempt (default 0). */
  readonly elapsedMs?: number | undefined
  /** The endpoint URL; only scheme, host and path are kept. */
  readonly endpoint?: string | undefined
  /** Now, in epoch milliseconds, to read a `Retry-After` HTTP-date (ignored without it). */
  readonly now?: number | undefined
  /** Secret values sent with the request (header values, assertions) that must never be quoted. */
  readonly secrets?: ReadonlyArray<string> | undefined
}

const transientStatus = (status: number): boolean =>
  status === 404 || status === 408 || status === 410 || status === 429 || (status >= 500 && status <= 599)

/**
 * Classifies one failed attempt. A transport failure wins over a status; with neither, the
 * attempt is a `Transient` network failure.
 *
 * - 404, 408, 410, 429 and 5xx: `Transient` (the retry policy decides whether to retry).
 * - A redirect, a 407, or any other 4xx whose body is not the endpoint's JSON error (an HTML page,
 *   plain text): `Unavailable` (`not-the-endpoint`): something else answered (a proxy, an
 *   appliance, Docker Desktop answering for IMDS), and a credential chain moves on.
 * - What the source's own rules say (IMDS: a 400 is "no such identity here" unless its `error`
 *   code says the request was wrong).
 * - Any other 4xx: `Rejected`, quoting `error`, the description and the correlation id.
 *
 * @since 0.1.0
 * @category classification
 * @example
 * ```ts
 * import { Classification } from "@managed-identity/core"
 *
 * const error = Classification.classify({
 *   source: "AppService",
 *   status: 400,
 *   body: JSON.stringify({ statusCode: 400, message: "Unable to load the requested resource", correlationId: "7f3a" })
 * })
 * console.log(error._tag, error.message)
 * // Rejected AppService rejected the request (400 bad request): Unable to load the requested resource (correlation id 7f3a)
 * ```
 */
export const classify = (input: ClassifyInput): EndpointError => {
  const secrets = input.secrets ?? []
  const headers = lowerCase(input.headers)
  const endpoint = input.endpoint === undefined ? undefined : stripQuery(input.endpoint)
  const where = endpoint ?? "the endpoint"
  const base = { source: input.source, attempts: input.attempts ?? 1, elapsedMs: input.elapsedMs ?? 0, endpoint }

  if (input.transport !== undefined) return fromTransport(input.source, input.transport, base, where, secrets)

  const status = input.status
  if (status === undefined) {
    return new Transient({ ...base, reason: "network", message: `${input.source}: no answer from ${where}` })
  }

  const details = errorDetails(input.body, headers["content-type"], secrets)
  const server = headers.server === undefined ? undefined : quote(headers.server, secrets, 80)
  const evidence: Evidence = {
    status,
    body: details.shape,
    ...(headers["content-type"] === undefined ? {} : { contentType: quote(headers["content-type"], secrets, 80) }),
    ...(server === undefined ? {} : { server }),
    ...(details.codes === undefined ? {} : { codes: details.codes })
  }
  const correlationId = correlationIdOf(headers, details.correlationId, secrets)
  const context = { ...base, status, correlationId, evidence }
  const said = describeDetails(details, correlationId)
  const phrase = phrases[status]
  const statusText = `${status}${phrase === undefined ? "" : ` (${phrase})`}`

  if (transientStatus(status)) {
    return new Transient({
      ...context,
      reason: "status",
      retryAfterMs: retryAfterFromHeaders(headers, input.now),
      message: `${input.source} answered ${statusText}${transientHint(input.rules, status)}${said === "" ? "" : `: ${said}`}`
    })
  }

  const otherAnswerer =
    (status >= 300 && status <= 399) ||
    status === 407 ||
    (status >= 400 && status <= 499 && (details.shape === "html" || details.shape === "text"))
  if (otherAnswerer) {
    const what =
      status >= 300 && status <= 399 ? "a redirect (managed-identity endpoints never redirect)" : `${statusText}`
    const who = [server === undefined ? undefined : `Server: ${server}`, evidence.contentType, bodyWords[details.shape]]
      .filter((part) => part !== undefined)
      .join(", ")
    return new Unavailable({
      ...context,
      reason: "not-the-endpoint",
      message: `${input.source}: something other than the managed-identity endpoint answered ${what} at ${where} (${who})${details.description === undefined ? "" : `: ${details.description}`}`
    })
  }

  const absent = input.rules?.unavailable?.({ status, error: details.error, description: details.description })
  if (absent !== undefined) {
    return new Unavailable({
      ...context,
      reason: absent.reason,
      message: `${absent.message}${correlationId === undefined ? "" : ` (correlation id ${correlationId})`}`
    })
  }

  if (status >= 400 && status <= 499) {
    return new Rejected({
      ...context,
      error: details.error,
      errorDescription: details.description,
      message: `${input.source} rejected the request (${status}${details.error === undefined ? (phrase === undefined ? "" : ` ${phrase}`) : ` ${details.error}`})${details.description === undefined ? "" : `: ${details.description}`}${correlationId === undefined ? "" : ` (correlation id ${correlationId})`}`
    })
  }

  return new InvalidResponse({
    ...context,
    reason: "missing-token",
    message: `${input.source} answered ${statusText} without a token${said === "" ? "" : `: ${said}`}`
  })
}

const bodyWords: Record<ErrorDetails["shape"], string | undefined> = {
  html: "an HTML page",
  text: "plain text",
  json: "JSON that is not the endpoint's error",
  "endpoint-error": undefined,
  empty: "no body"
}

const lowerCase = (headers: ClassifyInput["headers"]): Record<string, string> => {
  const out: Record<string, string> = {}
  if (headers === undefined || headers === null) return out
  for (const [name, value] of Object.entries(headers)) {
    if (typeof value === "string") out[name.toLowerCase()] = value
  }
  return out
}

const correlationHeaders = ["x-ms-request-id", "x-ms-correlation-request-id", "client-request-id"] as const

const correlationIdOf = (
  headers: Record<string, string>,
  fromBody: string | undefined,
  secrets: ReadonlyArray<string>
): string | undefined => {
  if (fromBody !== undefined) return fromBody
  for (const name of correlationHeaders) {
    const value = headers[name]
    if (value !== undefined && value.trim().length > 0) return quote(value, secrets, 100)
  }
  return undefined
}

const describeDetails = (details: ErrorDetails, correlationId: string | undefined): string => {
  const said =
    details.shape === "html"
      ? "an HTML page instead of an error description"
      : details.error !== undefined && details.description !== undefined
        ? `${details.error}: ${details.description}`
        : (details.error ?? details.description ?? "")
  return correlationId === undefined ? said : `${said}${said === "" ? "" : " "}(correlation id ${correlationId})`
}

const phrases: Record<number, string> = {
  301: "moved permanently",
  302: "found",
  307: "temporary redirect",
  400: "bad request",
  401: "unauthorized",
  403: "forbidden",
  404: "not found",
  405: "method not allowed",
  407: "proxy authentication required",
  408: "request timeout",
  409: "conflict",
  410: "gone",
  413: "payload too large",
  429: "too many requests",
  500: "internal server error",
  501: "not implemented",
  502: "bad gateway",
  503: "service unavailable",
  504: "gateway timeout"
}

const transientHint = (rules: ClassificationRules | undefined, status: number): string => {
  const hint = rules?.statusHint?.(status) ?? (status === 429 ? "the endpoint is throttling requests" : undefined)
  return hint === undefined ? "" : `, ${hint}`
}

/**
 * Milliseconds to wait from a `Retry-After` value: delta-seconds (`"5"`) or an HTTP-date
 * (`"Wed, 21 Oct 2015 07:28:00 GMT"`, read against `now`). `undefined` when absent or unreadable;
 * a date in the past gives 0.
 *
 * @since 0.1.0
 * @category classification
 * @example
 * ```ts
 * import { Classification } from "@managed-identity/core"
 *
 * Classification.retryAfterMs("5", 0) // 5000
 * Classification.retryAfterMs("Thu, 01 Jan 1970 00:00:10 GMT", 4_000) // 6000
 * Classification.retryAfterMs("soon", 0) // undefined
 * ```
 */
export const retryAfterMs = (headerValue: string | undefined, now: number | undefined): number | undefined => {
  if (typeof headerValue !== "string") return undefined
  const value = headerValue.trim()
  if (/^\d+(?:\.\d+)?$/.test(value)) {
    const ms = Math.round(Number(value) * 1000)
    return Number.isFinite(ms) ? ms : undefined
  }
  // HTTP-date: IMF-fixdate and the obsolete forms all name a weekday or a month in letters.
  if (now === undefined || !/[A-Za-z]{3}/.test(value)) return undefined
  const at = Date.parse(value)
  return Number.isFinite(at) ? Math.max(0, at - now) : undefined
}

const retryAfterFromHeaders = (headers: Record<string, string>, now: number | undefined): number | undefined => {
  // Azure services also send the delay in milliseconds, which is more precise when present.
  for (const name of ["retry-after-ms", "x-ms-retry-after-ms"]) {
    const value = headers[name]
    if (value !== undefined && /^\s*\d+\s*$/.test(value)) return Number(value)
  }
  return retryAfterMs(headers["retry-after"], now)
}

// ---------------------------------------------------------------------------------------------
// Transport failures
// ---------------------------------------------------------------------------------------------

// Error codes (Node, undici, Bun) and error names (Deno) → kind.
const identifiers: Record<string, TransportKind> = {
  ECONNREFUSED: "connection-refused",
  ConnectionRefused: "connection-refused",
  // The adapters' pinning (Service Fabric) and TLS verification failures: retrying cannot fix them.
  CertificatePinError: "certificate-rejected",
  ERR_MI_CERTIFICATE_PIN: "certificate-rejected",
  DEPTH_ZERO_SELF_SIGNED_CERT: "certificate-rejected",
  SELF_SIGNED_CERT_IN_CHAIN: "certificate-rejected",
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: "certificate-rejected",
  CERT_HAS_EXPIRED: "certificate-rejected",
  ERR_TLS_CERT_ALTNAME_INVALID: "certificate-rejected",
  // Bun's name when the socket cannot be opened at all (refused, bad port).
  FailedToOpenSocket: "connection-refused",
  EACCES: "access-denied",
  EPERM: "access-denied",
  PermissionDenied: "access-denied",
  NotCapable: "access-denied",
  EHOSTUNREACH: "host-unreachable",
  ENETUNREACH: "host-unreachable",
  EHOSTDOWN: "host-unreachable",
  ENETDOWN: "host-unreachable",
  EADDRNOTAVAIL: "host-unreachable",
  AddrNotAvailable: "host-unreachable",
  HostUnreachable: "host-unreachable",
  NetworkUnreachable: "host-unreachable",
  ENOTFOUND: "dns",
  EAI_AGAIN: "dns",
  EAI_NONAME: "dns",
  EAI_FAIL: "dns",
  // Ours (the node-module transports and the connect probe raise it), then what Node's fetch
  // (undici) and Deno raise.
  [CONNECT_TIMEOUT_CODE]: "connect-timeout",
  UND_ERR_CONNECT_TIMEOUT: "connect-timeout",
  ConnectTimeoutError: "connect-timeout",
  ConnectTimeout: "connect-timeout",
  TimedOut: "connect-timeout",
  ECONNRESET: "connection-reset",
  EPIPE: "connection-reset",
  ECONNABORTED: "connection-reset",
  UND_ERR_SOCKET: "connection-reset",
  UND_ERR_CLOSED: "connection-reset",
  ConnectionReset: "connection-reset",
  ConnectionAborted: "connection-reset",
  ConnectionClosed: "connection-reset",
  BrokenPipe: "connection-reset",
  UnexpectedEof: "connection-reset",
  UND_ERR_HEADERS_TIMEOUT: "timeout",
  UND_ERR_BODY_TIMEOUT: "timeout",
  HeadersTimeoutError: "timeout",
  BodyTimeoutError: "timeout",
  TimeoutException: "timeout",
  TimeoutError: "timeout",
  AbortError: "timeout"
}

const isRecord = (u: unknown): u is Record<string, unknown> => typeof u === "object" && u !== null

// The failure and what it wraps: `cause` (fetch's TypeError, platform's RequestError), and
// `errors` (Node's AggregateError when both IPv4 and IPv6 connects fail), a few levels deep.
const chain = (cause: unknown): ReadonlyArray<Record<string, unknown>> => {
  const out: Array<Record<string, unknown>> = []
  const seen = new Set<unknown>()
  let level: Array<unknown> = [cause]
  for (let depth = 0; depth < 5 && level.length > 0; depth++) {
    const next: Array<unknown> = []
    for (const node of level) {
      if (!isRecord(node) || seen.has(node)) continue
      seen.add(node)
      out.push(node)
      const inner = safeGet(node, "cause")
      if (inner !== undefined) next.push(inner)
      const errors = safeGet(node, "errors")
      if (Array.isArray(errors)) next.push(...errors.slice(0, 8))
    }
    level = next
  }
  return out
}

// Property reads on foreign objects can run getters; none may throw out of classification.
const safeGet = (node: Record<string, unknown>, key: string): unknown => {
  try {
    return node[key]
  } catch {
    return undefined
  }
}

const stringAt = (node: Record<string, unknown>, key: string): string | undefined => {
  const value = safeGet(node, key)
  return typeof value === "string" ? value : undefined
}

const fromIdentifiers = (node: Record<string, unknown>): TransportKind | undefined => {
  const code = stringAt(node, "code")
  if (code === "ETIMEDOUT") {
    // ETIMEDOUT is a connect that got no answer (TCP SYN timeout), unless the socket was
    // already in use for a request.
    const syscall = stringAt(node, "syscall")
    return syscall === undefined || syscall === "connect" ? "connect-timeout" : "timeout"
  }
  for (const id of [code, stringAt(node, "_tag"), stringAt(node, "name")]) {
    if (id !== undefined && Object.hasOwn(identifiers, id)) return identifiers[id]
  }
  return undefined
}

/**
 * Recognises a transport failure from Node / undici (`code`, also nested in `cause`, as in
 * `TypeError: fetch failed`), `@effect/platform`'s `RequestError`, Deno (error names such as
 * `ConnectionRefused` and messages such as `Connection refused (os error 111)`) and Bun (codes
 * such as `ConnectionRefused`, `FailedToOpenSocket`, `ConnectionClosed`).
 *
 * @since 0.1.0
 * @category classification
 * @example
 * ```ts
 * import { Classification } from "@managed-identity/core"
 *
 * const failure = new TypeError("fetch failed", { cause: Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }) })
 * Classification.transportKind(failure) // "connection-refused"
 * ```
 */
export const transportKind = (cause: unknown): TransportKind => {
  for (const node of chain(cause)) {
    const kind = fromIdentifiers(node)
    if (kind !== undefined) return kind
  }
  return "network"
}

interface Context {
  readonly source: SourceName
  readonly attempts: number
  readonly elapsedMs: number
  readonly endpoint: string | undefined
}

// What to keep of the failure: its kind and identifiers, and a scrubbed message, never the
// request (whose headers hold the secret) nor the raw error.
const describeCause = (kind: TransportKind, cause: unknown, secrets: ReadonlyArray<string>) => {
  const nodes = chain(cause)
  const innermost = nodes.at(-1)
  const code = nodes.map((n) => stringAt(n, "code")).find((c) => c !== undefined)
  const name = innermost === undefined ? undefined : stringAt(innermost, "name")
  const message = innermost === undefined ? undefined : stringAt(innermost, "message")
  return {
    kind,
    ...(code === undefined ? {} : { code: quote(code, secrets, 40) }),
    ...(name === undefined ? {} : { name: quote(name, secrets, 40) }),
    ...(message === undefined ? {} : { message: quote(stripQueries(message), secrets, 200) })
  }
}

const fromTransport = (
  source: SourceName,
  transport: unknown,
  context: Context,
  where: string,
  secrets: ReadonlyArray<string>
): EndpointError => {
  const kind = transportKind(transport)
  const described = describeCause(kind, transport, secrets)
  const cause = described
  const withEvidence = { ...context, evidence: described.code === undefined ? {} : { code: described.code } }
  const unavailable = (reason: UnavailableReason, message: string) =>
    new Unavailable({ ...withEvidence, reason, message, cause })
  switch (kind) {
    case "connection-refused":
      return unavailable("connection-refused", `${source}: nothing is listening at ${where} (connection refused)`)
    case "access-denied":
      return unavailable(
        "access-denied",
        `${source}: the operating system forbade opening a socket to ${where} (access denied)`
      )
    case "host-unreachable":
      return unavailable("host-unreachable", `${source}: ${where} cannot be reached from this network`)
    case "dns":
      return unavailable("host-unreachable", `${source}: the host name of ${where} does not resolve`)
    case "connect-timeout":
      return unavailable("probe-timeout", `${source}: ${where} did not accept a connection in time`)
    case "connection-reset":
      return new Transient({
        ...withEvidence,
        reason: "connection-reset",
        message: `${source}: the connection to ${where} was reset before the answer arrived`,
        cause
      })
    case "timeout":
      return new Transient({
        ...withEvidence,
        reason: "timeout",
        message: `${source}: ${where} accepted the connection but did not answer in time`,
        cause
      })
    case "certificate-rejected":
      return new Rejected({
        ...withEvidence,
        error: "certificate_rejected",
        message: `${source}: the TLS certificate of ${where} was refused (it does not match the pinned thumbprint, or is not trusted); not retried`,
        cause
      })
    case "network":
      return new Transient({
        ...withEvidence,
        reason: "network",
        message: `${source}: the request to ${where} failed${cause.message === undefined ? "" : ` (${cause.message})`}`,
        cause
      })
  }
}
