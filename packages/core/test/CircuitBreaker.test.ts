import { describe, expect, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as TestClock from "effect/TestClock"
import * as CircuitBreaker from "../src/CircuitBreaker.js"
import { type EndpointError, InvalidResponse, Rejected, Transient, Unavailable } from "../src/ManagedIdentityError.js"

const transient = new Transient({
  source: "AppService",
  reason: "status",
  status: 503,
  message: "AppService answered 503",
  attempts: 6,
  elapsedMs: 112_000
})
const unavailable = new Unavailable({
  source: "IMDS",
  reason: "connection-refused",
  message: "IMDS: nothing listens at 127.0.0.1:1",
  attempts: 1,
  elapsedMs: 2
})
const rejected = new Rejected({
  source: "IMDS",
  status: 400,
  message: "IMDS rejected the request",
  attempts: 1,
  elapsedMs: 2
})
const invalid = new InvalidResponse({
  source: "IMDS",
  status: 200,
  reason: "html",
  message: "html",
  attempts: 1,
  elapsedMs: 2
})

/** An endpoint that counts calls and answers with whatever `next` holds. */
const endpoint = () => {
  let calls = 0
  let next: EndpointError | "ok" = "ok"
  const call = Effect.suspend(() => {
    calls++
    return next === "ok" ? Effect.succeed("token") : Effect.fail(next)
  })
  return {
    call,
    calls: () => calls,
    answer: (outcome: EndpointError | "ok") => {
      next = outcome
    }
  }
}

const errorOf = <A>(exit: Exit.Exit<A, EndpointError>): EndpointError =>
  Exit.isFailure(exit) ? Option.getOrThrow(Cause.failureOption(exit.cause)) : (undefined as never)

describe("CircuitBreaker", () => {
  it.effect("opens after K consecutive transient failures and fails fast without calling the endpoint", () =>
    Effect.gen(function* () {
      const breaker = yield* CircuitBreaker.make({ failureThreshold: 3, cooldown: "30 seconds" })
      const ep = endpoint()
      ep.answer(transient)
      for (let i = 0; i < 3; i++) yield* Effect.exit(breaker.protect(ep.call))
      expect(yield* breaker.state).toBe("open")
      expect(ep.calls()).toBe(3)

      const exit = yield* Effect.exit(breaker.protect(ep.call))
      expect(ep.calls()).toBe(3)
      const error = errorOf(exit)
      expect(error._tag).toBe("Transient")
      expect(error).toMatchObject({ reason: "circuit-open", source: "AppService", attempts: 0 })
      expect(error.message).toContain("circuit open after 3 consecutive failures")
      expect(error.message).toContain("next try in 30 s")
      expect(error.message).toContain("1970-01-01T00:00:30.000Z")
      expect(error.cause).toBe(transient)
    })
  )

  it.effect("fails fast with Unavailable when the last failure was Unavailable", () =>
    Effect.gen(function* () {
      const breaker = yield* CircuitBreaker.make({ failureThreshold: 2 })
      const ep = endpoint()
      ep.answer(transient)
      yield* Effect.exit(breaker.protect(ep.call))
      ep.answer(unavailable)
      yield* Effect.exit(breaker.protect(ep.call))
      const error = errorOf(yield* Effect.exit(breaker.protect(ep.call)))
      expect(error).toMatchObject({ _tag: "Unavailable", reason: "circuit-open", source: "IMDS" })
    })
  )

  it.effect("stays closed below the threshold", () =>
    Effect.gen(function* () {
      const breaker = yield* CircuitBreaker.make({ failureThreshold: 5 })
      const ep = endpoint()
      ep.answer(transient)
      for (let i = 0; i < 4; i++) yield* Effect.exit(breaker.protect(ep.call))
      expect(yield* breaker.state).toBe("closed")
      ep.answer("ok")
      expect(yield* breaker.protect(ep.call)).toBe("token")
    })
  )

  it.effect("Rejected and InvalidResponse prove the endpoint alive: they reset the count", () =>
    Effect.gen(function* () {
      const breaker = yield* CircuitBreaker.make({ failureThreshold: 3 })
      const ep = endpoint()
      for (const alive of [rejected, invalid]) {
        ep.answer(transient)
        yield* Effect.exit(breaker.protect(ep.call))
        yield* Effect.exit(breaker.protect(ep.call))
        ep.answer(alive)
        const exit = yield* Effect.exit(breaker.protect(ep.call))
        expect(errorOf(exit)).toBe(alive)
      }
      ep.answer(transient)
      yield* Effect.exit(breaker.protect(ep.call))
      yield* Effect.exit(breaker.protect(ep.call))
      expect(yield* breaker.state).toBe("closed")
    })
  )

  it.effect("a success resets the count", () =>
    Effect.gen(function* () {
      const breaker = yield* CircuitBreaker.make({ failureThreshold: 2 })
      const ep = endpoint()
      ep.answer(transient)
      yield* Effect.exit(breaker.protect(ep.call))
      ep.answer("ok")
      yield* breaker.protect(ep.call)
      ep.answer(transient)
      yield* Effect.exit(breaker.protect(ep.call))
      expect(yield* breaker.state).toBe("closed")
    })
  )

  it.effect("after the cool-down one trial passes; success closes the circuit", () =>
    Effect.gen(function* () {
      const breaker = yield* CircuitBreaker.make({ failureThreshold: 1, cooldown: Duration.seconds(30) })
      const ep = endpoint()
      ep.answer(transient)
      yield* Effect.exit(breaker.protect(ep.call))
      yield* TestClock.adjust(Duration.millis(29_999))
      expect(yield* breaker.state).toBe("open")
      yield* Effect.exit(breaker.protect(ep.call))
      expect(ep.calls()).toBe(1)

      yield* TestClock.adjust(Duration.millis(1))
      expect(yield* breaker.state).toBe("half-open")
      ep.answer("ok")
      expect(yield* breaker.protect(ep.call)).toBe("token")
      expect(ep.calls()).toBe(2)
      expect(yield* breaker.state).toBe("closed")
    })
  )

  it.effect("a failed trial re-opens the circuit for another cool-down", () =>
    Effect.gen(function* () {
      const breaker = yield* CircuitBreaker.make({ failureThreshold: 2, cooldown: "10 seconds" })
      const ep = endpoint()
      ep.answer(transient)
      yield* Effect.exit(breaker.protect(ep.call))
      yield* Effect.exit(breaker.protect(ep.call))
      yield* TestClock.adjust("10 seconds")
      yield* Effect.exit(breaker.protect(ep.call))
      expect(ep.calls()).toBe(3)
      expect(yield* breaker.state).toBe("open")
      const error = errorOf(yield* Effect.exit(breaker.protect(ep.call)))
      expect(error.message).toContain("next try in 10 s")
      expect(ep.calls()).toBe(3)
      yield* TestClock.adjust("10 seconds")
      ep.answer("ok")
      expect(yield* breaker.protect(ep.call)).toBe("token")
    })
  )

  it.effect("half-open: exactly one trial runs; concurrent callers fail fast", () =>
    Effect.gen(function* () {
      const breaker = yield* CircuitBreaker.make({ failureThreshold: 1, cooldown: "5 seconds" })
      yield* Effect.exit(breaker.protect(Effect.fail(transient)))
      yield* TestClock.adjust("5 seconds")

      const gate = yield* Deferred.make<void>()
      let trialCalls = 0
      const slow = Effect.zipRight(
        Effect.sync(() => trialCalls++),
        Effect.as(Deferred.await(gate), "token")
      )
      const trial = yield* Effect.fork(breaker.protect(slow))
      yield* Effect.yieldNow()
      const others = yield* Effect.all(
        Array.from({ length: 5 }, () => Effect.exit(breaker.protect(slow))),
        { concurrency: "unbounded" }
      )
      expect(trialCalls).toBe(1)
      for (const exit of others) {
        const error = errorOf(exit)
        expect(error).toMatchObject({ _tag: "Transient", reason: "circuit-open" })
        expect(error.message).toContain("trial request is in flight")
      }
      expect(yield* breaker.state).toBe("half-open")
      yield* Deferred.succeed(gate, undefined)
      expect(yield* Fiber.join(trial)).toBe("token")
      expect(yield* breaker.state).toBe("closed")
    })
  )

  it.effect("an interrupted trial frees the slot for the next caller", () =>
    Effect.gen(function* () {
      const breaker = yield* CircuitBreaker.make({ failureThreshold: 1, cooldown: "5 seconds" })
      yield* Effect.exit(breaker.protect(Effect.fail(unavailable)))
      yield* TestClock.adjust("5 seconds")
      const trial = yield* Effect.fork(breaker.protect(Effect.never))
      yield* Effect.yieldNow()
      yield* Fiber.interrupt(trial)
      expect(yield* breaker.protect(Effect.succeed("token"))).toBe("token")
      expect(yield* breaker.state).toBe("closed")
    })
  )

  it.effect("defaults: 5 failures, 30 s cool-down", () =>
    Effect.gen(function* () {
      const breaker = yield* CircuitBreaker.make()
      for (let i = 0; i < 4; i++) yield* Effect.exit(breaker.protect(Effect.fail(transient)))
      expect(yield* breaker.state).toBe("closed")
      yield* Effect.exit(breaker.protect(Effect.fail(transient)))
      expect(yield* breaker.state).toBe("open")
      yield* TestClock.adjust("29 seconds")
      expect(yield* breaker.state).toBe("open")
      yield* TestClock.adjust("1 second")
      expect(yield* breaker.state).toBe("half-open")
    })
  )
})
