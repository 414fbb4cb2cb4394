import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import type * as CircuitBreaker from "../CircuitBreaker.js"
import { type EndpointError, Transient, Unavailable } from "../ManagedIdentityError.js"

const DEFAULT_THRESHOLD = 5
const DEFAULT_COOLDOWN = Duration.seconds(30)

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

export const make = (options: CircuitBreaker.Options = {}): Effect.Effect<CircuitBreaker.CircuitBreaker> =>
  Effect.sync(() => {
    const threshold =
      options.failureThreshold !== undefined && Number.isFinite(options.failureThreshold)
        ? Math.max(1, Math.floor(options.failureThreshold))
        : DEFAULT_THRESHOLD
    const cooldownMs = Math.max(
      0,
      Duration.toMillis(
        Option.getOrElse(
          options.cooldown === undefined ? Option.none() : Duration.decodeUnknown(options.cooldown),
          () => DEFAULT_COOLDOWN
        )
      )
    )
    let state: State = { _tag: "Closed", failures: 0 }

    /** Records the end of a call that was let through (a closed-state call, or the half-open trial). */
    const settle = (exit: Exit.Exit<unknown, EndpointError>, wasTrial: boolean, now: number): void => {
      if (Exit.isSuccess(exit)) {
        state = { _tag: "Closed", failures: 0 }
        return
      }
      const failure = Option.getOrUndefined(Cause.failureOption(exit.cause))
      if (failure === undefined) {
        // Interrupted or died: says nothing about the endpoint; free the trial slot for the next caller.
        if (wasTrial && state._tag === "Open") state = { ...state, trial: false }
        return
      }
      if (!isFailure(failure)) {
        state = { _tag: "Closed", failures: 0 }
        return
      }
      if (wasTrial) {
        state = { _tag: "Open", until: now + cooldownMs, failures: state.failures + 1, last: failure, trial: false }
        return
      }
      if (state._tag === "Open") return // opened meanwhile by a concurrent caller
      const failures = state.failures + 1
      state =
        failures >= threshold
          ? { _tag: "Open", until: now + cooldownMs, failures, last: failure, trial: false }
          : { _tag: "Closed", failures }
    }

    const protect = <A, R>(effect: Effect.Effect<A, EndpointError, R>): Effect.Effect<A, EndpointError, R> =>
      Effect.uninterruptibleMask((restore) =>
        Effect.flatMap(Clock.currentTimeMillis, (now) => {
          let wasTrial = false
          if (state._tag === "Open") {
            if (now < state.until) {
              return Effect.fail(
                openError(
                  state,
                  `next try in ${seconds(state.until - now)} (at ${new Date(state.until).toISOString()})`
                )
              )
            }
            if (state.trial) {
              return Effect.fail(openError(state, "a trial request is in flight; try again shortly"))
            }
            state = { ...state, trial: true }
            wasTrial = true
          }
          return restore(effect).pipe(
            Effect.onExit((exit) => Effect.map(Clock.currentTimeMillis, (end) => settle(exit, wasTrial, end)))
          )
        })
      )

    const current: Effect.Effect<CircuitBreaker.State> = Effect.map(Clock.currentTimeMillis, (now) =>
      state._tag === "Closed" ? "closed" : state.trial || now >= state.until ? "half-open" : "open"
    )

    return { protect, state: current }
  })
