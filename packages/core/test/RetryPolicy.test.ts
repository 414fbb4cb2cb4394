import { describe, expect, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as FastCheck from "effect/FastCheck"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as Random from "effect/Random"
import * as TestClock from "effect/TestClock"
import { type EndpointError, InvalidResponse, Rejected, Transient, Unavailable } from "../src/ManagedIdentityError.js"
import * as RetryPolicy from "../src/RetryPolicy.js"
import * as SourceCatalog from "../src/SourceCatalog.js"

const transient = (status: number | undefined, retryAfterMs?: number): Transient =>
  new Transient({
    source: "IMDS",
    reason: status === undefined ? "timeout" : "status",
    status,
    retryAfterMs,
    message: `IMDS answered ${status ?? "nothing"}`,
    attempts: 1,
    elapsedMs: 3
  })

const rejected = new Rejected({
  source: "IMDS",
  status: 400,
  error: "invalid_resource",
  message: "IMDS rejected the request (400 invalid_resource)",
  attempts: 1,
  elapsedMs: 3
})

const unavailable = new Unavailable({
  source: "IMDS",
  reason: "connection-refused",
  message: "IMDS: nothing listens at 127.0.0.1:1",
  attempts: 1,
  elapsedMs: 3
})

const invalidResponse = new InvalidResponse({
  source: "IMDS",
  status: 200,
  reason: "html",
  message: "IMDS answered 200 with an HTML page",
  attempts: 1,
  elapsedMs: 3
})

/** An attempt that records the clock time of every call and answers from a script (1-based attempt number). */
const scripted = (script: (attempt: number) => EndpointError | "ok") => {
  const times: Array<number> = []
  const attempt = Effect.flatMap(Clock.currentTimeMillis, (now) => {
    times.push(now)
    const outcome = script(times.length)
    return outcome === "ok" ? Effect.succeed("token") : Effect.fail(outcome)
  })
  return { times, attempt }
}

const imdsNoJitter = RetryPolicy.make({ ...RetryPolicy.imds, jitter: 0 })

/** Runs `effect` to completion, moving the test clock far enough for any retry sequence. */
const runToEnd = <A, E>(effect: Effect.Effect<A, E>) =>
  Effect.gen(function* () {
    const fiber = yield* Effect.fork(effect)
    yield* TestClock.adjust(Duration.minutes(10))
    return yield* Fiber.await(fiber)
  })

const failureOf = <A>(exit: Exit.Exit<A, EndpointError>): EndpointError => {
  if (Exit.isSuccess(exit)) throw new Error("expected a failure")
  return Option.getOrThrow(Cause.failureOption(exit.cause))
}

describe("RetryPolicy", () => {
  describe("delays", () => {
    it("follows the seed's exponential back-off: min((2^n − 1) · 2 s, 60 s)", () => {
      expect(RetryPolicy.delays(RetryPolicy.imds)).toEqual([2_000, 6_000, 14_000, 30_000, 60_000])
    })

    it("shifts by one with a fast first retry", () => {
      expect(RetryPolicy.delays(RetryPolicy.make({ firstFastRetry: true }))).toEqual([0, 2_000, 6_000, 14_000, 30_000])
    })

    it("takes overrides in milliseconds and duration strings", () => {
      const policy = RetryPolicy.make({ maxRetries: 4, delta: 100, maxDelay: "1 second" })
      expect(RetryPolicy.delays(policy)).toEqual([100, 300, 700, 1_000])
    })

    it("clamps nonsense overrides instead of throwing", () => {
      const policy = RetryPolicy.make({ maxRetries: -3, jitter: 7 })
      expect(policy.maxRetries).toBe(0)
      expect(policy.jitter).toBe(1)
      expect(RetryPolicy.delays(policy)).toEqual([])
    })
  })

  describe("nextDelay", () => {
    const cases: ReadonlyArray<{
      readonly name: string
      readonly policy: RetryPolicy.RetryPolicy
      readonly state: RetryPolicy.RetryState
      readonly error: EndpointError
      readonly expected: number | undefined
    }> = [
      {
        name: "503, first retry",
        policy: imdsNoJitter,
        state: { retries: 0, elapsedMs: 5 },
        error: transient(503),
        expected: 2_000
      },
      {
        name: "503, fifth retry",
        policy: imdsNoJitter,
        state: { retries: 4, elapsedMs: 5 },
        error: transient(503),
        expected: 60_000
      },
      {
        name: "503, retries exhausted",
        policy: imdsNoJitter,
        state: { retries: 5, elapsedMs: 5 },
        error: transient(503),
        expected: undefined
      },
      {
        name: "timeout (no status)",
        policy: imdsNoJitter,
        state: { retries: 1, elapsedMs: 5 },
        error: transient(undefined),
        expected: 6_000
      },
      {
        name: "410 caps waits at 10 s",
        policy: imdsNoJitter,
        state: { retries: 3, elapsedMs: 20_000 },
        error: transient(410),
        expected: 10_000
      },
      {
        name: "410 past maxRetries, inside the window",
        policy: imdsNoJitter,
        state: { retries: 8, elapsedMs: 61_000 },
        error: transient(410),
        expected: 9_000
      },
      {
        name: "410 once the window is over",
        policy: imdsNoJitter,
        state: { retries: 9, elapsedMs: 70_000 },
        error: transient(410),
        expected: undefined
      },
      {
        name: "410 without a window (App Service)",
        policy: RetryPolicy.make({ ...RetryPolicy.appService, jitter: 0 }),
        state: { retries: 5, elapsedMs: 1_000 },
        error: transient(410),
        expected: undefined
      },
      {
        name: "429, Retry-After shorter than the back-off",
        policy: imdsNoJitter,
        state: { retries: 0, elapsedMs: 5 },
        error: transient(429, 1_000),
        expected: 2_000
      },
      {
        name: "429, Retry-After longer than the back-off",
        policy: imdsNoJitter,
        state: { retries: 0, elapsedMs: 5 },
        error: transient(429, 10_000),
        expected: 10_000
      },
      {
        name: "429, Retry-After over the cap",
        policy: imdsNoJitter,
        state: { retries: 0, elapsedMs: 5 },
        error: transient(429, 61_000),
        expected: undefined
      },
      {
        name: "Rejected",
        policy: imdsNoJitter,
        state: { retries: 0, elapsedMs: 5 },
        error: rejected,
        expected: undefined
      },
      {
        name: "Unavailable",
        policy: imdsNoJitter,
        state: { retries: 0, elapsedMs: 5 },
        error: unavailable,
        expected: undefined
      },
      {
        name: "InvalidResponse",
        policy: imdsNoJitter,
        state: { retries: 0, elapsedMs: 5 },
        error: invalidResponse,
        expected: undefined
      },
      {
        name: "Rejected even when retryOn says yes",
        policy: RetryPolicy.make({ jitter: 0, retryOn: () => true }),
        state: { retries: 0, elapsedMs: 5 },
        error: rejected,
        expected: undefined
      },
      {
        name: "Unavailable when the policy opts in (an endpoint the environment names)",
        policy: RetryPolicy.make({ jitter: 0, retryOn: () => true }),
        state: { retries: 0, elapsedMs: 5 },
        error: unavailable,
        expected: 2000
      },
      {
        name: "App Service: a refused connection is retried",
        policy: RetryPolicy.make({ ...RetryPolicy.appService, jitter: 0 }),
        state: { retries: 0, elapsedMs: 5 },
        error: new Unavailable({ ...unavailable, message: unavailable.message, source: "AppService" }),
        expected: 2000
      },
      {
        name: "App Service: an identity that cannot be selected is not retried",
        policy: RetryPolicy.make({ ...RetryPolicy.appService, jitter: 0 }),
        state: { retries: 0, elapsedMs: 5 },
        error: new Unavailable({ ...unavailable, message: "x", source: "AppService", reason: "unsupported-identity" }),
        expected: undefined
      },
      {
        name: "App Service: a body cut off after a 200 is retried",
        policy: RetryPolicy.make({ ...RetryPolicy.appService, jitter: 0 }),
        state: { retries: 0, elapsedMs: 5 },
        error: new Transient({
          source: "AppService",
          reason: "body-interrupted",
          status: 200,
          message: "AppService: the body was cut off",
          attempts: 1,
          elapsedMs: 1
        }),
        expected: 2000
      },
      {
        name: "InvalidResponse when retryOn opts in",
        policy: RetryPolicy.make({ jitter: 0, retryOn: () => true }),
        state: { retries: 0, elapsedMs: 5 },
        error: invalidResponse,
        expected: 2_000
      },
      {
        name: "workload identity: Entra 404 is final",
        policy: RetryPolicy.workloadIdentity,
        state: { retries: 0, elapsedMs: 5 },
        error: transient(404),
        expected: undefined
      },
      {
        name: "workload identity: Entra 429",
        policy: RetryPolicy.make({ ...RetryPolicy.workloadIdentity, jitter: 0 }),
        state: { retries: 0, elapsedMs: 5 },
        error: transient(429),
        expected: 2_000
      },
      {
        name: "App Service: 404 is retried",
        policy: RetryPolicy.make({ ...RetryPolicy.appService, jitter: 0 }),
        state: { retries: 0, elapsedMs: 5 },
        error: transient(404),
        expected: 2_000
      }
    ]
    for (const c of cases) {
      it(c.name, () => {
        expect(Option.getOrUndefined(RetryPolicy.nextDelay(c.policy, c.state, c.error, 0.5))).toBe(c.expected)
      })
    }

    it("keeps every jittered wait within [nominal · (1 − j), min(nominal · (1 + j), maxDelay)]", () => {
      FastCheck.assert(
        FastCheck.property(
          FastCheck.integer({ min: 0, max: 4 }),
          FastCheck.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
          FastCheck.double({ min: 0, max: 1, noNaN: true }),
          (retries, fraction, jitter) => {
            const policy = RetryPolicy.make({ jitter })
            const nominal = RetryPolicy.delays(policy)[retries]!
            const delay = Option.getOrThrow(
              RetryPolicy.nextDelay(policy, { retries, elapsedMs: 0 }, transient(503), fraction)
            )
            expect(delay).toBeGreaterThanOrEqual(Math.floor(nominal * (1 - jitter)))
            expect(delay).toBeLessThanOrEqual(Math.ceil(Math.min(nominal * (1 + jitter), 60_000)))
          }
        )
      )
    })

    it("spreads waits over the whole jitter range", () => {
      const low = RetryPolicy.nextDelay(RetryPolicy.imds, { retries: 0, elapsedMs: 0 }, transient(503), 0)
      const high = RetryPolicy.nextDelay(RetryPolicy.imds, { retries: 0, elapsedMs: 0 }, transient(503), 0.999999)
      expect(Option.getOrThrow(low)).toBe(1_600)
      expect(Option.getOrThrow(high)).toBe(2_400)
    })

    it("never waits less than Retry-After, and spreads callers above it by the jitter", () =>
      FastCheck.assert(
        FastCheck.property(
          FastCheck.integer({ min: 2_500, max: 60_000 }),
          FastCheck.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
          (retryAfterMs, fraction) => {
            const delay = Option.getOrThrow(
              RetryPolicy.nextDelay(
                RetryPolicy.imds,
                { retries: 0, elapsedMs: 0 },
                transient(429, retryAfterMs),
                fraction
              )
            )
            expect(delay).toBeGreaterThanOrEqual(retryAfterMs)
            expect(delay).toBeLessThanOrEqual(Math.ceil(retryAfterMs * 1.2))
          }
        )
      ))

    it("spreads a Retry-After wait over the jitter range above it", () => {
      const at = (fraction: number) =>
        Option.getOrThrow(
          RetryPolicy.nextDelay(RetryPolicy.imds, { retries: 0, elapsedMs: 0 }, transient(429, 10_000), fraction)
        )
      expect(at(0)).toBe(10_000)
      expect(at(0.5)).toBe(11_000)
      expect(at(0.999999)).toBe(12_000)
    })
  })

  describe("each source's descriptor", () => {
    it("gives IMDS its 70 s window on 410 and the others none", () => {
      const retryOf = (name: Parameters<typeof SourceCatalog.get>[0]) => SourceCatalog.get(name).retry
      expect(retryOf("IMDS")).toBe(RetryPolicy.imds)
      expect(Duration.toMillis(retryOf("IMDS").goneWindow)).toBe(70_000)
      expect(retryOf("AppService")).toBe(RetryPolicy.appService)
      expect(Duration.toMillis(retryOf("AzureArc").goneWindow)).toBe(0)
      expect(retryOf("WorkloadIdentity")).toBe(RetryPolicy.workloadIdentity)
      for (const descriptor of SourceCatalog.all) {
        if (descriptor.name !== "IMDS") expect(Duration.toMillis(descriptor.retry.goneWindow), descriptor.name).toBe(0)
      }
    })
  })

  describe("retry", () => {
    it.effect("IMDS 5 × 503: six attempts at 0, 2, 8, 22, 52 and 112 s, then the last error", () =>
      Effect.gen(function* () {
        const { times, attempt } = scripted(() => transient(503))
        const exit = yield* runToEnd(RetryPolicy.retry(imdsNoJitter)(attempt))
        expect(times).toEqual([0, 2_000, 8_000, 22_000, 52_000, 112_000])
        const error = failureOf(exit)
        expect(error._tag).toBe("Transient")
        expect(error.status).toBe(503)
        expect(error.attempts).toBe(6)
        expect(error.elapsedMs).toBe(112_000)
      })
    )

    it.effect("succeeds as soon as an attempt does", () =>
      Effect.gen(function* () {
        const { times, attempt } = scripted((n) => (n < 3 ? transient(500) : "ok"))
        const exit = yield* runToEnd(RetryPolicy.retry(imdsNoJitter)(attempt))
        expect(exit).toStrictEqual(Exit.succeed("token"))
        expect(times).toEqual([0, 2_000, 8_000])
      })
    )

    it.effect("410 forever: keeps retrying, 10 s apart at most, until 70 s have passed", () =>
      Effect.gen(function* () {
        const { times, attempt } = scripted(() => transient(410))
        const exit = yield* runToEnd(RetryPolicy.retry(imdsNoJitter)(attempt))
        expect(times).toEqual([0, 2_000, 8_000, 18_000, 28_000, 38_000, 48_000, 58_000, 68_000, 70_000])
        expect(times.at(-1)!).toBeLessThanOrEqual(70_000)
        const error = failureOf(exit)
        expect(error.status).toBe(410)
        expect(error.attempts).toBe(10)
        expect(error.elapsedMs).toBe(70_000)
      })
    )

    it.effect("410 that heals within the window succeeds", () =>
      Effect.gen(function* () {
        const { times, attempt } = scripted((n) => (n < 8 ? transient(410) : "ok"))
        const exit = yield* runToEnd(RetryPolicy.retry(imdsNoJitter)(attempt))
        expect(Exit.isSuccess(exit)).toBe(true)
        expect(times.at(-1)).toBe(58_000)
      })
    )

    it.effect("429 with Retry-After 1 s waits the back-off (2 s)", () =>
      Effect.gen(function* () {
        const { times, attempt } = scripted((n) => (n === 1 ? transient(429, 1_000) : "ok"))
        yield* runToEnd(RetryPolicy.retry(imdsNoJitter)(attempt))
        expect(times).toEqual([0, 2_000])
      })
    )

    it.effect("429 with Retry-After 10 s waits 10 s", () =>
      Effect.gen(function* () {
        const { times, attempt } = scripted((n) => (n === 1 ? transient(429, 10_000) : "ok"))
        yield* runToEnd(RetryPolicy.retry(imdsNoJitter)(attempt))
        expect(times).toEqual([0, 10_000])
      })
    )

    it.effect("429 with a Retry-After beyond maxRetryAfter gives up at once with that error", () =>
      Effect.gen(function* () {
        const { times, attempt } = scripted(() => transient(429, 120_000))
        const exit = yield* runToEnd(RetryPolicy.retry(imdsNoJitter)(attempt))
        expect(times).toEqual([0])
        expect(failureOf(exit)).toMatchObject({ _tag: "Transient", status: 429, retryAfterMs: 120_000, attempts: 1 })
      })
    )

    it.effect("a Rejected is never retried", () =>
      Effect.gen(function* () {
        const { times, attempt } = scripted(() => rejected)
        const exit = yield* runToEnd(RetryPolicy.retry(RetryPolicy.make({ retryOn: () => true }))(attempt))
        expect(times).toEqual([0])
        expect(failureOf(exit)).toMatchObject({ _tag: "Rejected", error: "invalid_resource", attempts: 1 })
      })
    )

    it.effect("an Unavailable is never retried, so a chain moves on at once", () =>
      Effect.gen(function* () {
        const { times, attempt } = scripted(() => unavailable)
        const exit = yield* runToEnd(RetryPolicy.retry(RetryPolicy.imds)(attempt))
        expect(times).toEqual([0])
        expect(failureOf(exit)._tag).toBe("Unavailable")
      })
    )

    it.effect("maxRetries 0 makes a single attempt", () =>
      Effect.gen(function* () {
        const { times, attempt } = scripted(() => transient(503))
        const policy = RetryPolicy.make({ ...RetryPolicy.imds, maxRetries: 0, goneWindow: Duration.zero })
        yield* runToEnd(RetryPolicy.retry(policy)(attempt))
        expect(times).toEqual([0])
      })
    )

    it.effect("interruption during a wait stops the loop: no further attempt", () =>
      Effect.gen(function* () {
        const { times, attempt } = scripted(() => transient(503))
        const fiber = yield* Effect.fork(RetryPolicy.retry(imdsNoJitter)(attempt))
        yield* TestClock.adjust(Duration.seconds(1))
        expect(times).toEqual([0])
        yield* Fiber.interrupt(fiber)
        yield* TestClock.adjust(Duration.minutes(5))
        expect(times).toEqual([0])
      })
    )

    it.effect("a caller's deadline wins over the schedule", () =>
      Effect.gen(function* () {
        const { times, attempt } = scripted(() => transient(503))
        const exit = yield* runToEnd(
          RetryPolicy.retry(imdsNoJitter)(attempt).pipe(
            Effect.timeoutFail({ duration: "10 seconds", onTimeout: () => "deadline" as const })
          )
        )
        expect(exit).toStrictEqual(Exit.fail("deadline"))
        expect(times).toEqual([0, 2_000, 8_000])
      })
    )

    it.effect("reports each retry before waiting", () =>
      Effect.gen(function* () {
        const { attempt } = scripted((n) => (n < 4 ? transient(503) : "ok"))
        const seen: Array<RetryPolicy.RetryInfo> = []
        const onRetry = (info: RetryPolicy.RetryInfo) => Effect.sync(() => seen.push(info))
        yield* runToEnd(RetryPolicy.retry(imdsNoJitter, { onRetry })(attempt))
        expect(seen.map((s) => [s.attempt, s.maxAttempts, s.delayMs, s.error.attempts])).toEqual([
          [2, 6, 2_000, 1],
          [3, 6, 6_000, 2],
          [4, 6, 14_000, 3]
        ])
      })
    )

    it.effect("reports an open-ended attempt count while a 410 window keeps it going", () =>
      Effect.gen(function* () {
        const { attempt } = scripted((n) => (n < 8 ? transient(410) : "ok"))
        const seen: Array<number | undefined> = []
        yield* runToEnd(
          RetryPolicy.retry(imdsNoJitter, { onRetry: (i) => Effect.sync(() => seen.push(i.maxAttempts)) })(attempt)
        )
        expect(seen).toEqual([6, 6, 6, 6, 6, undefined, undefined])
      })
    )

    it.effect("draws jitter from Random: the lowest and highest factors give 0.8× and 1.2×", () =>
      Effect.gen(function* () {
        const low = scripted((n) => (n < 3 ? transient(503) : "ok"))
        yield* runToEnd(RetryPolicy.retry(RetryPolicy.imds)(low.attempt).pipe(Effect.withRandom(Random.fixed([0]))))
        expect(low.times).toEqual([0, 1_600, 1_600 + 4_800])
        const high = scripted((n) => (n < 3 ? transient(503) : "ok"))
        const start = yield* Clock.currentTimeMillis
        yield* runToEnd(
          RetryPolicy.retry(RetryPolicy.imds)(high.attempt).pipe(Effect.withRandom(Random.fixed([0.999999])))
        )
        expect(high.times.map((t) => t - start)).toEqual([0, 2_400, 2_400 + 7_200])
      })
    )
  })

  describe("schedule", () => {
    it.effect("drives Effect.retry with the same waits", () =>
      Effect.gen(function* () {
        const { times, attempt } = scripted(() => transient(503))
        const exit = yield* runToEnd(Effect.retry(attempt, RetryPolicy.schedule(imdsNoJitter)))
        expect(times).toEqual([0, 2_000, 8_000, 22_000, 52_000, 112_000])
        expect(failureOf(exit).status).toBe(503)
      })
    )

    it.effect("stops at once on a Rejected", () =>
      Effect.gen(function* () {
        const { times, attempt } = scripted(() => rejected)
        yield* runToEnd(Effect.retry(attempt, RetryPolicy.schedule(imdsNoJitter)))
        expect(times).toEqual([0])
      })
    )
  })
})
