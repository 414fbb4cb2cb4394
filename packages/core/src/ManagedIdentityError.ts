/**
 * The typed errors of every managed-identity operation. Each is a tagged error
 * (`Data.TaggedError`), so callers discriminate on `_tag` and use `Effect.catchTag`.
 *
 * - `Unavailable`: no managed-identity endpoint here; a credential chain moves on.
 * - `Transient`: the endpoint is there but failed in a way that can heal (404, 408, 410, 429,
 *   5xx, timeouts, resets); the retry schedule retries it.
 * - `Rejected`: the endpoint refused the request (other 4xx); retrying will not help.
 * - `InvalidResponse`: the endpoint answered with something that is not a token.
 * - `InvalidArgument`: the caller's input (resource, scopes, identity options) is wrong.
 *
 * No error ever holds an access token, a secret header value or key-file contents.
 *
 * @since 0.1.0
 */
import * as Data from "effect/Data"
import type { SourceName } from "./SourceName.js"

/**
 * What a classification was decided from: what the endpoint (or whatever answered in its place)
 * sent, or the runtime's own code for a failed connection. Never message text.
 *
 * @since 0.1.0
 * @category models
 */
export interface Evidence {
  /** The HTTP status, when something answered. */
  readonly status?: number | undefined
  /** The runtime's code or name for a transport failure (`ECONNREFUSED`, `ConnectionRefused`, ...). */
  readonly code?: string | undefined
  /** Who answered: the answer's `Server` header. */
  readonly server?: string | undefined
  /** The answer's `Content-Type`. */
  readonly contentType?: string | undefined
  /**
   * What the body was: the endpoint's own JSON error (`endpoint-error`), other JSON, an HTML page,
   * plain text, or nothing.
   */
  readonly body?: "empty" | "endpoint-error" | "json" | "html" | "text" | undefined
  /** Entra's numeric error codes from the body (`error_codes`), such as 700024. */
  readonly codes?: ReadonlyArray<number> | undefined
}

/**
 * Context shared by every error raised while talking to an endpoint.
 *
 * @since 0.1.0
 * @category models
 */
export interface EndpointContext {
  /** The identity source that was used. */
  readonly source: SourceName
  /** The HTTP status, when the endpoint answered. */
  readonly status?: number | undefined
  /** How many requests were made (1 for the first attempt). */
  readonly attempts: number
  /** Milliseconds from the first attempt to this error. */
  readonly elapsedMs: number
  /** The endpoint's correlation/request id (`x-ms-request-id`, `x-ms-correlation-request-id`, ...). */
  readonly correlationId?: string | undefined
  /** The endpoint (scheme, host and path; never the query string). */
  readonly endpoint?: string | undefined
  /** The underlying failure, with secrets removed. */
  readonly cause?: unknown
  /** What the classification was decided from. */
  readonly evidence?: Evidence | undefined
}

/**
 * Why an endpoint is considered absent.
 *
 * @since 0.1.0
 * @category models
 */
export type UnavailableReason =
  | "connection-refused"
  | "access-denied"
  | "host-unreachable"
  | "probe-timeout"
  | "identity-not-found"
  | "not-the-endpoint"
  | "unsupported-identity"
  | "not-configured"
  | "unsupported-runtime"
  | "circuit-open"

/**
 * No managed-identity endpoint is reachable here, or this source cannot serve the
 * requested identity. A credential chain moves on to its next credential.
 *
 * @since 0.1.0
 * @category errors
 * @example
 * ```ts
 * import * as Effect from "effect/Effect"
 * import { ManagedIdentityError } from "@managed-identity/core"
 *
 * const error = new ManagedIdentityError.Unavailable({
 *   source: "IMDS",
 *   reason: "connection-refused",
 *   message: "IMDS: nothing listens at http://169.254.169.254",
 *   attempts: 1,
 *   elapsedMs: 3
 * })
 * Effect.fail(error).pipe(Effect.catchTag("Unavailable", (e) => Effect.succeed(e.reason)))
 * ```
 */
export class Unavailable extends Data.TaggedError("Unavailable")<
  EndpointContext & { readonly reason: UnavailableReason; readonly message: string }
> {}

/**
 * Why a failure is considered transient.
 *
 * @since 0.1.0
 * @category models
 */
export type TransientReason =
  | "status"
  | "timeout"
  | "connection-reset"
  | "network"
  | "body-interrupted"
  | "circuit-open"

/**
 * A failure that can heal: 404, 408, 410, 429, 5xx, timeouts, resets. Retried by the
 * source's `RetryPolicy`; surfaces only when the policy gives up.
 *
 * @since 0.1.0
 * @category errors
 * @example
 * ```ts
 * import { ManagedIdentityError } from "@managed-identity/core"
 *
 * const error = new ManagedIdentityError.Transient({
 *   source: "IMDS",
 *   reason: "status",
 *   status: 429,
 *   retryAfterMs: 1000,
 *   message: "IMDS answered 429 (too many requests)",
 *   attempts: 1,
 *   elapsedMs: 12
 * })
 * console.log(error.retryAfterMs) // 1000
 * ```
 */
export class Transient extends Data.TaggedError("Transient")<
  EndpointContext & {
    readonly reason: TransientReason
    readonly message: string
    /** The endpoint's `Retry-After`, in milliseconds, when it sent one. */
    readonly retryAfterMs?: number | undefined
  }
> {}

/**
 * The endpoint refused the request (a 4xx other than the transient ones): a bad resource,
 * a missing `Metadata` header, an unknown identity. Never retried. The message quotes the
 * endpoint's `error` and `error_description`.
 *
 * @since 0.1.0
 * @category errors
 * @example
 * ```ts
 * import { ManagedIdentityError } from "@managed-identity/core"
 *
 * const error = new ManagedIdentityError.Rejected({
 *   source: "IMDS",
 *   status: 400,
 *   error: "invalid_resource",
 *   errorDescription: "AADSTS500011: The resource principal was not found",
 *   message: "IMDS rejected the request (400 invalid_resource): AADSTS500011: ...",
 *   attempts: 1,
 *   elapsedMs: 8
 * })
 * console.log(error.error) // "invalid_resource"
 * ```
 */
export class Rejected extends Data.TaggedError("Rejected")<
  EndpointContext & {
    readonly message: string
    /** The OAuth `error` code the endpoint sent, if any. */
    readonly error?: string | undefined
    /** The endpoint's `error_description` (or `message`), if any. */
    readonly errorDescription?: string | undefined
  }
> {}

/**
 * Why a response could not be read as a token.
 *
 * @since 0.1.0
 * @category models
 */
export type InvalidResponseReason =
  | "not-json"
  | "html"
  | "too-large"
  | "missing-token"
  | "invalid-token"
  | "wrong-identity"
  | "invalid-field"
  | "truncated"
  | "challenge"

/**
 * The endpoint answered, but not with a token: not JSON, an HTML error page, a body over
 * 64 KiB, a missing or empty `access_token`, one that cannot go into an `Authorization` header, an
 * unreadable expiry.
 *
 * @since 0.1.0
 * @category errors
 * @example
 * ```ts
 * import { ManagedIdentityError } from "@managed-identity/core"
 *
 * const error = new ManagedIdentityError.InvalidResponse({
 *   source: "AppService",
 *   status: 200,
 *   reason: "html",
 *   message: "AppService answered 200 with an HTML page instead of a token",
 *   attempts: 1,
 *   elapsedMs: 20
 * })
 * console.log(error._tag) // "InvalidResponse"
 * ```
 */
export class InvalidResponse extends Data.TaggedError("InvalidResponse")<
  EndpointContext & { readonly reason: InvalidResponseReason; readonly message: string }
> {}

/**
 * The caller's input is wrong: an empty or multi-scope request, a resource that is not a
 * URI, conflicting identity options, an unusable configuration. Raised before any request.
 *
 * @since 0.1.0
 * @category errors
 * @example
 * ```ts
 * import { ManagedIdentityError } from "@managed-identity/core"
 *
 * const error = new ManagedIdentityError.InvalidArgument({
 *   argument: "scopes",
 *   message: "scopes: managed identity takes exactly one scope, got 2"
 * })
 * console.log(error.argument) // "scopes"
 * ```
 */
export class InvalidArgument extends Data.TaggedError("InvalidArgument")<{
  /** The argument or option at fault. */
  readonly argument: string
  readonly message: string
}> {}

/**
 * Any error a managed-identity operation can fail with.
 *
 * @since 0.1.0
 * @category models
 */
export type ManagedIdentityError = Unavailable | Transient | Rejected | InvalidResponse | InvalidArgument

/**
 * The errors raised while talking to an endpoint (everything but `InvalidArgument`).
 *
 * @since 0.1.0
 * @category models
 */
export type EndpointError = Unavailable | Transient | Rejected | InvalidResponse

/**
 * Whether a value is one of this package's errors.
 *
 * @since 0.1.0
 * @category guards
 * @example
 * ```ts
 * import { ManagedIdentityError } from "@managed-identity/core"
 *
 * ManagedIdentityError.isManagedIdentityError(new Error("x")) // false
 * ```
 */
export const isManagedIdentityError = (u: unknown): u is ManagedIdentityError =>
  u instanceof Unavailable ||
  u instanceof Transient ||
  u instanceof Rejected ||
  u instanceof InvalidResponse ||
  u instanceof InvalidArgument

/**
 * Returns a copy of an endpoint error with its attempt count and elapsed time updated, as the
 * retry loop does when it gives up.
 *
 * @since 0.1.0
 * @category combinators
 * @example
 * ```ts
 * import { ManagedIdentityError } from "@managed-identity/core"
 *
 * const first = new ManagedIdentityError.Transient({
 *   source: "IMDS", reason: "status", status: 503, message: "IMDS answered 503", attempts: 1, elapsedMs: 5
 * })
 * const last = ManagedIdentityError.withAttempts(first, 6, 52_000)
 * console.log(last.attempts, last.elapsedMs) // 6 52000
 * ```
 */
export const withAttempts = <E extends EndpointError>(error: E, attempts: number, elapsedMs: number): E => {
  // `message` and `cause` live on the Error itself, not as enumerable fields: copy them explicitly.
  const props = { ...(error as any), message: error.message, attempts, elapsedMs }
  if ("cause" in error && error.cause !== undefined) props.cause = error.cause
  delete props._tag
  const Ctor = error.constructor as new (props: any) => E
  return new Ctor(props)
}
