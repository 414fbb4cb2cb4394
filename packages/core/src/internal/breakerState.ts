/**
 * The circuit breaker's state machine, pure: the Effect API's `CircuitBreaker` and the Promise
 * API's client drive the same one, each with its own clock.
 *
 * @internal
 */
import * as Duration from "effect/Duration"
import * as Option from "effect/Option"
import type * as CircuitBreaker from "../CircuitBreaker.js"
import { type EndpointError, Transient, Unavailable } from "../ManagedIdentityError.js"

const DEFAULT_THRESHOLD = 5
const DEFAULT_COOLDOWN_MS = 30_000

/** Only these say "the endpoint is absent or sick"; a refusal or a bad body proves it answered. */
type Failure = Unavailable | Transient

const isFailure = (error: EndpointError): error is Failure => error._tag === "Unavailable" || error._tag === "Transient"

interface Closed {
  readonly _tag: "Closed"
  readonly failures: number
}
interface Open {
  readonly _tag: "Open"
  readonly until: number
  readonly failures: number
  readonly last: Failure
  /** Whether the single half-open trial is running. */
  readonly trial: boolean
}
type State = Closed | Open

const seconds = (ms: number): string => `${Math.max(0, Math.ceil(ms / 1000))} s`

const openError = (state: Open, why: string): Failure => {
  const last = state.last
  const message =
    `${last.source}: circuit open after ${state.failures} consecutive failure${state.failures === 1 ? "" : "s"} ` +
    `(last: ${last.message}); ${why}`
  const fields = {
    source: last.source,
    status: last.status,
    attempts: 0,
    elapsedMs: 0,
    correlationId: last.correlationId,
    endpoint: last.endpoint,
    cause: last,
    reason: "circuit-open" as const,
    message
  }
  return last._tag === "Unavailable" ? new Unavailable(fields) : new Transient(fields)
}

/**
 * How a call let through ended: a token, an endpoint error, or nothing to learn from (interrupted,
 * or a defect).
 *
 * @internal
 */
export type Outcome =
  | { readonly _tag: "Success" }
  | { readonly _tag: "Failure"; readonly error: EndpointError }
  | { readonly _tag: "Interrupted" }

/**
 * Whether a call may go ahead: refused with the error to fail with, or admitted (as the single
 * half-open trial, or not).
 *
 * @internal
 */
export type Admission =
  | { readonly _tag: "Refused"; readonly error: EndpointError }
  | { readonly _tag: "Admitted"; readonly trial: boolean }

/** @internal */
export class BreakerState {
  readonly #threshold: number
  readonly #cooldownMs: number
  #state: State = { _tag: "Closed", failures: 0 }

  constructor(options: CircuitBreaker.Options = {}) {
    this.#threshold =
      options.failureThreshold !== undefined && Number.isFinite(options.failureThreshold)
        ? Math.max(1, Math.floor(options.failureThreshold))
        : DEFAULT_THRESHOLD
    const cooldown = options.cooldown === undefined ? Option.none() : Duration.decodeUnknown(options.cooldown)
    this.#cooldownMs = Math.max(
      0,
      Option.match(cooldown, { onNone: () => DEFAULT_COOLDOWN_MS, onSome: Duration.toMillis })
    )
  }

  /** Admits a call at `now`, or says why not; an admitted trial must be settled. */
  admit(now: number): Admission {
    const state = this.#state
    if (state._tag === "Closed") return { _tag: "Admitted", trial: false }
    if (now < state.until) {
      return {
        _tag: "Refused",
        error: openError(state, `next try in ${seconds(state.until - now)} (at ${new Date(state.until).toISOString()})`)
      }
    }
    if (state.trial)
      return { _tag: "Refused", error: openError(state, "a trial request is in flight; try again shortly") }
    this.#state = { ...state, trial: true }
    return { _tag: "Admitted", trial: true }
  }

  /** Records the end of a call that was let through (a closed-state call, or the half-open trial). */
  settle(outcome: Outcome, wasTrial: boolean, now: number): void {
    const state = this.#state
    if (outcome._tag === "Success") {
      this.#state = { _tag: "Closed", failures: 0 }
      return
    }
    if (outcome._tag === "Interrupted") {
      // Says nothing about the endpoint; free the trial slot for the next caller.
      if (wasTrial && state._tag === "Open") this.#state = { ...state, trial: false }
      return
    }
    const failure = outcome.error
    if (!isFailure(failure)) {
      this.#state = { _tag: "Closed", failures: 0 }
      return
    }
    if (wasTrial) {
      this.#state = {
        _tag: "Open",
        until: now + this.#cooldownMs,
        failures: state.failures + 1,
        last: failure,
        trial: false
      }
      return
    }
    if (state._tag === "Open") return // opened meanwhile by a concurrent caller
    const failures = state.failures + 1
    this.#state =
      failures >= this.#threshold
        ? { _tag: "Open", until: now + this.#cooldownMs, failures, last: failure, trial: false }
        : { _tag: "Closed", failures }
  }

  /** The state as `CircuitBreaker.state` reports it. */
  current(now: number): CircuitBreaker.State {
    const state = this.#state
    return state._tag === "Closed" ? "closed" : state.trial || now >= state.until ? "half-open" : "open"
  }
}
