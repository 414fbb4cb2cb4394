import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import type * as CircuitBreaker from "../CircuitBreaker.js"
import type { EndpointError } from "../ManagedIdentityError.js"
import { BreakerState, type Outcome } from "./breakerState.js"

const outcomeOf = (exit: Exit.Exit<unknown, EndpointError>): Outcome => {
  if (Exit.isSuccess(exit)) return { _tag: "Success" }
  const failure = Option.getOrUndefined(Cause.failureOption(exit.cause))
  return failure === undefined ? { _tag: "Interrupted" } : { _tag: "Failure", error: failure }
}

export const make = (options: CircuitBreaker.Options = {}): Effect.Effect<CircuitBreaker.CircuitBreaker> =>
  Effect.sync(() => {
    const breaker = new BreakerState(options)
    const protect = <A, R>(effect: Effect.Effect<A, EndpointError, R>): Effect.Effect<A, EndpointError, R> =>
      Effect.uninterruptibleMask((restore) =>
        Effect.flatMap(Clock.currentTimeMillis, (now) => {
          const admission = breaker.admit(now)
          if (admission._tag === "Refused") return Effect.fail(admission.error)
          return restore(effect).pipe(
            Effect.onExit((exit) =>
              Effect.map(Clock.currentTimeMillis, (end) => breaker.settle(outcomeOf(exit), admission.trial, end))
            )
          )
        })
      )
    return { protect, state: Effect.map(Clock.currentTimeMillis, (now) => breaker.current(now)) }
  })
