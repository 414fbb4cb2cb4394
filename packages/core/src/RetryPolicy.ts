/**
 * Retry policies from the seed's retry guidance (Azure docs, "Retry guidance" for IMDS): exponential
 * back-off with MinBackoff 0, MaxBackoff 60 s, DeltaBackoff 2 s, MaxRetries 5 and no fast first
 * retry, so retry `n` waits `min((2^n − 1) · 2 s, 60 s)`: about 2, 6, 14, 30 and 60 seconds. On 410
 * ("IMDS is updating, available within 70 seconds") retries continue until 70 s have passed; on 429
 * the endpoint's `Retry-After` is a minimum wait, spread above by the jitter so throttled callers do not return together. `Rejected` and `Unavailable` are never retried.
 *
 * Every wait goes through Effect's `Clock` and every random draw through `Random`, so tests use
 * `TestClock` and run instantly. Waits are interruptible: a caller's deadline always wins.
 *
 * @since 0.1.0
 */
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import type * as Option from "effect/Option"
import type * as Schedule from "effect/Schedule"
import * as internal from "./internal/retry.js"
import * as policies from "./internal/retryPolicy.js"
import type { EndpointError } from "./ManagedIdentityError.js"

/**
 * How to retry one source's token requests.
 *
 * @since 0.1.0
 * @category models
 */
export interface RetryPolicy {
  /** Retries after the first attempt (5: six attempts in all). */
  readonly maxRetries: number
  /** The back-off unit: retry `n` waits `(2^n − 1) · delta` (2 s). */
  readonly delta: Duration.Duration
  /** The longest single wait (60 s). */
  readonly maxDelay: Duration.Duration
  /**
   * Spread of each wait as a fraction: 0.2 multiplies each wait by a uniform factor in [0.8, 1.2]
   * (then caps it at `maxDelay`), so clients restarted together do not retry in lock-step.
   */
  readonly jitter: number
  /** Whether the first retry is immediate (the others shift by one). The seed says no. */
  readonly firstFastRetry: boolean
  /**
   * On 410 (IMDS updating), keep retrying until this much time has passed since the first attempt,
   * whatever `maxRetries` says, each wait capped at 10 s so the caller is not a minute late (70 s).
   */
  readonly goneWindow: Duration.Duration
  /**
   * `Retry-After` is honoured as a minimum wait; when the endpoint asks for longer than this, the
   * policy gives up at once with that error instead of holding the caller (60 s).
   */
  readonly maxRetryAfter: Duration.Duration
  /**
   * Which failures to retry (default: `Transient`). `Rejected` and `Unavailable` are never retried
   * whatever this says: a refusal will not change, and a missing endpoint must let a chain move on.
   */
  readonly retryOn: (error: EndpointError) => boolean
}

/**
 * Overrides for `make`: any policy field; durations also accept plain milliseconds or
 * `"2 seconds"`-style strings.
 *
 * @since 0.1.0
 * @category models
 */
export interface MakeOptions {
  readonly maxRetries?: number | undefined
  readonly delta?: Duration.DurationInput | undefined
  readonly maxDelay?: Duration.DurationInput | undefined
  readonly jitter?: number | undefined
  readonly firstFastRetry?: boolean | undefined
  readonly goneWindow?: Duration.DurationInput | undefined
  readonly maxRetryAfter?: Duration.DurationInput | undefined
  readonly retryOn?: ((error: EndpointError) => boolean) | undefined
}

/**
 * Where a retry loop stands when it decides on the next wait.
 *
 * @since 0.1.0
 * @category models
 */
export interface RetryState {
  /** Retries already made (0 after the first attempt failed). */
  readonly retries: number
  /** Milliseconds since the first attempt started. */
  readonly elapsedMs: number
}

/**
 * What `retry` reports before each wait.
 *
 * @since 0.1.0
 * @category models
 */
export interface RetryInfo {
  /** The number of the attempt about to be made (2 for the first retry). */
  readonly attempt: number
  /** The most attempts the policy will make, or `undefined` while a 410 window keeps it going. */
  readonly maxAttempts: number | undefined
  /** How long the loop will wait before that attempt. */
  readonly delayMs: number
  /** The failure that caused the retry, with its attempt count and elapsed time updated. */
  readonly error: EndpointError
}

/**
 * Options of `retry`.
 *
 * @since 0.1.0
 * @category models
 */
export interface RetryOptions {
  /** Called before each wait, e.g. for progress output or metrics. */
  readonly onRetry?: ((info: RetryInfo) => Effect.Effect<void>) | undefined
}

/**
 * IMDS (VMs, VM scale sets, AKS nodes): the seed's guidance as written, with a 70 s window on 410.
 *
 * @since 0.1.0
 * @category policies
 * @example
 * ```ts
 * import { RetryPolicy } from "@managed-identity/core"
 *
 * console.log(RetryPolicy.delays(RetryPolicy.imds)) // [2000, 6000, 14000, 30000, 60000]
 * ```
 */
export const imds: RetryPolicy = policies.imds

/**
 * App Service, Functions, Azure ML, Cloud Shell, Service Fabric and Arc: the same back-off, retrying
 * network failures, timeouts, 404, 408, 429 and 5xx; 410 gets no extended window.
 *
 * @since 0.1.0
 * @category policies
 * @example
 * ```ts
 * import { RetryPolicy } from "@managed-identity/core"
 *
 * console.log(RetryPolicy.appService.maxRetries) // 5
 * ```
 */
export const appService: RetryPolicy = policies.appService

/**
 * Service Fabric: as `appService`, except that a 404 is not retried (Service Fabric's managed-identity
 * documentation: "do not retry" on 404).
 *
 * @since 0.1.0
 * @category policies
 * @example
 * ```ts
 * import { RetryPolicy } from "@managed-identity/core"
 *
 * const policy = RetryPolicy.serviceFabric
 * ```
 */
export const serviceFabric: RetryPolicy = policies.serviceFabric

/**
 * Workload identity (Entra ID's token endpoint): the same back-off, retrying network failures,
 * timeouts, 408, 429 and 5xx only.
 *
 * @since 0.1.0
 * @category policies
 * @example
 * ```ts
 * import { RetryPolicy } from "@managed-identity/core"
 *
 * const policy = RetryPolicy.workloadIdentity
 * ```
 */
export const workloadIdentity: RetryPolicy = policies.workloadIdentity

/**
 * The seed's guidance (the same as `imds`); `make` fills unspecified fields from it.
 *
 * @since 0.1.0
 * @category policies
 * @example
 * ```ts
 * import { RetryPolicy } from "@managed-identity/core"
 *
 * console.log(RetryPolicy.defaults.jitter) // 0.2
 * ```
 */
export const defaults: RetryPolicy = policies.imds

/**
 * A policy from overrides; unspecified fields come from `defaults`. Out-of-range values are
 * clamped (negative retries to 0, jitter into [0, 1]); unreadable durations fall back to the default.
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import { RetryPolicy } from "@managed-identity/core"
 *
 * const noJitter = RetryPolicy.make({ ...RetryPolicy.imds, jitter: 0 })
 * const quick = RetryPolicy.make({ maxRetries: 2, delta: 100, maxDelay: "1 second" })
 * ```
 */
export const make: (overrides?: MakeOptions) => RetryPolicy = policies.make

/**
 * The nominal waits (no jitter, no `Retry-After`, no 410 window) in milliseconds, one per retry.
 *
 * @since 0.1.0
 * @category getters
 * @example
 * ```ts
 * import { RetryPolicy } from "@managed-identity/core"
 *
 * RetryPolicy.delays(RetryPolicy.make({ firstFastRetry: true })) // [0, 2000, 6000, 14000, 30000]
 * ```
 */
export const delays: (policy: RetryPolicy) => ReadonlyArray<number> = policies.delays

/**
 * The pure retry decision: the wait in milliseconds before the next attempt, or `None` to give up.
 * `randomFraction` in [0, 1) picks the jitter factor.
 *
 * @since 0.1.0
 * @category decisions
 * @example
 * ```ts
 * import { ManagedIdentityError, RetryPolicy } from "@managed-identity/core"
 *
 * const error = new ManagedIdentityError.Transient({
 *   source: "IMDS", reason: "status", status: 503, message: "IMDS answered 503", attempts: 1, elapsedMs: 4
 * })
 * RetryPolicy.nextDelay(RetryPolicy.imds, { retries: 0, elapsedMs: 4 }, error, 0.5) // Option.some(2000)
 * ```
 */
export const nextDelay: (
  policy: RetryPolicy,
  state: RetryState,
  error: EndpointError,
  randomFraction: number
) => Option.Option<number> = policies.nextDelay

/**
 * The policy as a `Schedule` for `Effect.retry`; it outputs each wait. Elapsed time is measured
 * from the first failure (a schedule cannot see when the first attempt started); use `retry` for
 * exact 410 windows and for errors that report their attempt count.
 *
 * @since 0.1.0
 * @category schedules
 * @example
 * ```ts
 * import * as Effect from "effect/Effect"
 * import { ManagedIdentityError, RetryPolicy } from "@managed-identity/core"
 *
 * declare const attempt: Effect.Effect<string, ManagedIdentityError.EndpointError>
 * const retried = Effect.retry(attempt, RetryPolicy.schedule(RetryPolicy.imds))
 * ```
 */
export const schedule: (policy: RetryPolicy) => Schedule.Schedule<Duration.Duration, EndpointError> = internal.schedule

/**
 * Runs an attempt under a policy. When it gives up, the last error reports the number of attempts
 * and the milliseconds since the first one started. Interrupting the caller stops the loop at once,
 * even in the middle of a wait.
 *
 * @since 0.1.0
 * @category combinators
 * @example
 * ```ts
 * import * as Effect from "effect/Effect"
 * import { ManagedIdentityError, RetryPolicy } from "@managed-identity/core"
 *
 * declare const attempt: Effect.Effect<string, ManagedIdentityError.EndpointError>
 * const retried = attempt.pipe(
 *   RetryPolicy.retry(RetryPolicy.imds, {
 *     onRetry: ({ attempt, delayMs, error }) => Effect.logInfo(`attempt ${attempt} in ${delayMs} ms: ${error.message}`)
 *   })
 * )
 * ```
 */
export const retry: (
  policy: RetryPolicy,
  options?: RetryOptions
) => <A, R>(attempt: Effect.Effect<A, EndpointError, R>) => Effect.Effect<A, EndpointError, R> = internal.retry
