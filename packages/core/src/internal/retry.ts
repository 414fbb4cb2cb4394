/**
 * The retry policies as Effect: a `Schedule` and a retry loop whose every wait goes through the
 * `Clock` (so `TestClock` drives them) and whose every random draw goes through `Random`.
 *
 * @internal
 */
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Random from "effect/Random"
import * as Schedule from "effect/Schedule"
import * as ScheduleDecision from "effect/ScheduleDecision"
import * as ScheduleInterval from "effect/ScheduleInterval"
import { type EndpointError, withAttempts } from "../ManagedIdentityError.js"
import type * as RetryPolicy from "../RetryPolicy.js"
import { attributes } from "./telemetry.js"
import { nextDelay } from "./retryPolicy.js"

const maxAttemptsFor = (policy: RetryPolicy.RetryPolicy, retries: number): number | undefined =>
  retries < policy.maxRetries ? policy.maxRetries + 1 : undefined

const randomFor = (policy: RetryPolicy.RetryPolicy): Effect.Effect<number> =>
  policy.jitter > 0 ? Random.next : Effect.succeed(0.5)

interface ScheduleState {
  readonly retries: number
  readonly start: number | undefined
}

export const schedule = (policy: RetryPolicy.RetryPolicy): Schedule.Schedule<Duration.Duration, EndpointError> =>
  Schedule.makeWithState<ScheduleState, EndpointError, Duration.Duration>(
    { retries: 0, start: undefined },
    (now, error, state) =>
      Effect.map(randomFor(policy), (fraction) => {
        const start = state.start ?? now
        const decision = nextDelay(policy, { retries: state.retries, elapsedMs: now - start }, error, fraction)
        if (Option.isNone(decision)) {
          return [state, Duration.zero, ScheduleDecision.done] as const
        }
        return [
          { retries: state.retries + 1, start },
          Duration.millis(decision.value),
          ScheduleDecision.continueWith(ScheduleInterval.after(now + decision.value))
        ] as const
      })
  )

export const retry =
  (policy: RetryPolicy.RetryPolicy, options: RetryPolicy.RetryOptions = {}) =>
  <A, R>(attempt: Effect.Effect<A, EndpointError, R>): Effect.Effect<A, EndpointError, R> =>
    Effect.flatMap(Clock.currentTimeMillis, (now) => {
      const onRetry = options.onRetry
      const start = now
      const decide = (retries: number, error: EndpointError): Effect.Effect<A, EndpointError, R> =>
        Effect.flatMap(Clock.currentTimeMillis, (now) => {
          const elapsedMs = Math.max(0, now - start)
          const failed = withAttempts(error, retries + 1, elapsedMs)
          return Effect.flatMap(randomFor(policy), (fraction) => {
            const decision = nextDelay(policy, { retries, elapsedMs }, error, fraction)
            if (Option.isNone(decision)) return Effect.fail(failed)
            const delayMs = decision.value
            const notify =
              onRetry === undefined
                ? Effect.void
                : onRetry({
                    attempt: retries + 2,
                    maxAttempts: maxAttemptsFor(policy, retries),
                    delayMs,
                    error: failed
                  })
            // Clock.sleep is interruptible: a caller's deadline or interruption ends the loop here.
            return notify.pipe(
              Effect.zipRight(Clock.sleep(Duration.millis(delayMs))),
              Effect.zipRight(Effect.suspend(() => loop(retries + 1)))
            )
          })
        })
      const loop = (retries: number): Effect.Effect<A, EndpointError, R> =>
        Effect.zipRight(
          Effect.annotateCurrentSpan(attributes.attempt, retries + 1),
          Effect.catchAll(attempt, (error) => decide(retries, error))
        )
      return loop(0)
    })
