/**
 * A circuit breaker for one endpoint, after the seed's advice ("circuit breaker: after repeated
 * authentication failures switch to a safe, degraded mode"). After `failureThreshold` consecutive
 * `Unavailable`/`Transient` failures it fails fast for `cooldown`, with an error of the same class
 * as the last failure (reason `circuit-open`) that says when it will try again; then it lets exactly
 * one trial through (concurrent callers still fail fast): success closes it, failure re-opens it.
 * `Rejected` and `InvalidResponse` prove the endpoint is alive, so they reset the count.
 *
 * Time is read from Effect's `Clock`, so tests drive it with `TestClock`.
 *
 * @since 0.1.0
 */
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import * as internal from "./internal/breaker.js"
import type { EndpointError } from "./ManagedIdentityError.js"

/**
 * The breaker's state: `closed` (calls pass), `open` (calls fail fast), `half-open` (the cool-down
 * is over; the next call, or the one in flight, is the trial).
 *
 * @since 0.1.0
 * @category models
 */
export type State = "closed" | "open" | "half-open"

/**
 * A circuit breaker.
 *
 * @since 0.1.0
 * @category models
 */
export interface CircuitBreaker {
  /** Runs the effect through the breaker, or fails fast while it is open. */
  readonly protect: <A, R>(effect: Effect.Effect<A, EndpointError, R>) => Effect.Effect<A, EndpointError, R>
  /** The current state. */
  readonly state: Effect.Effect<State>
}

/**
 * Options of `make`.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** Consecutive `Unavailable`/`Transient` failures that open the circuit (default 5, at least 1). */
  readonly failureThreshold?: number | undefined
  /** How long the circuit stays open before one trial (default 30 seconds). */
  readonly cooldown?: Duration.DurationInput | undefined
}

/**
 * Creates a circuit breaker.
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import * as Effect from "effect/Effect"
 * import { CircuitBreaker, ManagedIdentityError } from "@managed-identity/core"
 *
 * declare const request: Effect.Effect<string, ManagedIdentityError.EndpointError>
 *
 * const program = Effect.gen(function* () {
 *   const breaker = yield* CircuitBreaker.make({ failureThreshold: 3, cooldown: "30 seconds" })
 *   return yield* breaker.protect(request)
 * })
 * ```
 */
export const make: (options?: Options) => Effect.Effect<CircuitBreaker> = internal.make
