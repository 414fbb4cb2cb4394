import { describe, expect, it } from "@effect/vitest"
import * as Either from "effect/Either"
import * as Clock from "effect/Clock"
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as FastCheck from "effect/FastCheck"
import * as Fiber from "effect/Fiber"
import * as FiberRef from "effect/FiberRef"
import * as TestClock from "effect/TestClock"
import { AccessToken, refreshOnFor } from "../src/AccessToken.js"
import * as HttpTransport from "../src/HttpTransport.js"
import * as Identity from "../src/Identity.js"
import * as TokenCache from "../src/TokenCache.js"

class AcquireFailed extends Data.TaggedError("AcquireFailed")<{ readonly key: string; readonly call: number }> {}

const HOUR = 3_600_000
const MINUTE = 60_000

interface Behaviour {
  readonly latencyMs: number
  readonly fail: boolean
  readonly lifetimeMs: number
}

/**
 * A fake endpoint: every call takes `latencyMs` of (test) clock time, then fails or returns a token
 * that embeds the key and the call number. It tracks how many acquisitions of a key run at once.
 */
const fakeEndpoint = (behaviour: (call: number) => Behaviour) => {
  let calls = 0
  const running = new Map<string, number>()
  let maxConcurrentPerKey = 0
  let interrupted = 0
  const acquire = (key: string): Effect.Effect<AccessToken, AcquireFailed> =>
    Effect.suspend(() => {
      const call = ++calls
      const b = behaviour(call)
      running.set(key, (running.get(key) ?? 0) + 1)
      maxConcurrentPerKey = Math.max(maxConcurrentPerKey, running.get(key)!)
      return Clock.sleep(Duration.millis(b.latencyMs)).pipe(
        Effect.zipRight(Clock.currentTimeMillis),
        Effect.flatMap((now) =>
          b.fail
            ? Effect.fail(new AcquireFailed({ key, call }))
            : Effect.succeed(
                new AccessToken({
                  token: `${key}#${call}`,
                  expiresOn: now + b.lifetimeMs,
                  refreshOn: refreshOnFor({ now, expiresOn: now + b.lifetimeMs }),
                  tokenType: "Bearer",
                  resource: key
                })
              )
        ),
        Effect.onInterrupt(() => Effect.sync(() => interrupted++)),
        Effect.ensuring(Effect.sync(() => running.set(key, running.get(key)! - 1)))
      )
    })
  return {
    acquire,
    calls: () => calls,
    maxConcurrentPerKey: () => maxConcurrentPerKey,
    interrupted: () => interrupted
  }
}

const ok = (latencyMs = 1_000, lifetimeMs = HOUR): Behaviour => ({ latencyMs, fail: false, lifetimeMs })
const fail = (latencyMs = 1_000): Behaviour => ({ latencyMs, fail: true, lifetimeMs: HOUR })

/** A 1 h token refreshes 5 minutes before expiry (see AccessToken.refreshOnFor). */
const REFRESH_AT = 55 * MINUTE

describe("TokenCache", () => {
  describe("key", () => {
    it("separates source, identity and resource unambiguously", () => {
      const a = TokenCache.key({
        source: "IMDS",
        identity: Either.getOrThrow(Identity.clientId("x")),
        resource: "https://a"
      })
      const keys = new Set([
        a,
        TokenCache.key({ source: "IMDS", identity: Either.getOrThrow(Identity.objectId("x")), resource: "https://a" }),
        TokenCache.key({
          source: "AppService",
          identity: Either.getOrThrow(Identity.clientId("x")),
          resource: "https://a"
        }),
        TokenCache.key({ source: "IMDS", identity: Identity.systemAssigned, resource: "https://a" }),
        TokenCache.key({ source: "IMDS", identity: Either.getOrThrow(Identity.clientId("x")), resource: "https://b" }),
        TokenCache.key({
          source: "IMDS",
          identity: Either.getOrThrow(Identity.clientId('x","https://a')),
          resource: ""
        })
      ])
      expect(keys.size).toBe(6)
      expect(
        TokenCache.key({ source: "IMDS", identity: Either.getOrThrow(Identity.clientId("x")), resource: "https://a" })
      ).toBe(a)
    })
  })

  it.scoped("single-flight: 100 concurrent misses make one acquisition and share its token", () =>
    Effect.gen(function* () {
      const cache = yield* TokenCache.make()
      const ep = fakeEndpoint(() => ok())
      const fiber = yield* Effect.fork(
        Effect.all(
          Array.from({ length: 100 }, () => cache.get("k", ep.acquire("k"))),
          { concurrency: "unbounded" }
        )
      )
      yield* TestClock.adjust("1 second")
      const tokens = yield* Fiber.join(fiber)
      expect(ep.calls()).toBe(1)
      expect(new Set(tokens.map((t) => t.token))).toEqual(new Set(["k#1"]))
      const stats = yield* cache.stats
      expect(stats).toMatchObject({ size: 1, misses: 100, hits: 0 })
    })
  )

  it.scoped("a failed acquisition reaches every waiter and is not cached", () =>
    Effect.gen(function* () {
      const cache = yield* TokenCache.make()
      const ep = fakeEndpoint((call) => (call === 1 ? fail() : ok()))
      const fiber = yield* Effect.fork(
        Effect.all(
          Array.from({ length: 10 }, () => Effect.exit(cache.get("k", ep.acquire("k")))),
          { concurrency: "unbounded" }
        )
      )
      yield* TestClock.adjust("1 second")
      const exits = yield* Fiber.join(fiber)
      expect(ep.calls()).toBe(1)
      for (const exit of exits) expect(exit).toStrictEqual(Exit.fail(new AcquireFailed({ key: "k", call: 1 })))
      expect((yield* cache.stats).size).toBe(0)

      const next = yield* Effect.fork(cache.get("k", ep.acquire("k")))
      yield* TestClock.adjust("1 second")
      expect((yield* Fiber.join(next)).token).toBe("k#2")
      expect(ep.calls()).toBe(2)
    })
  )

  it.scoped("a valid token before refreshOn is a hit: no acquisition", () =>
    Effect.gen(function* () {
      const cache = yield* TokenCache.make()
      const ep = fakeEndpoint(() => ok(0))
      yield* cache.get("k", ep.acquire("k"))
      yield* TestClock.adjust(REFRESH_AT - 1)
      const token = yield* cache.get("k", ep.acquire("k"))
      expect(token.token).toBe("k#1")
      expect(ep.calls()).toBe(1)
      expect(yield* cache.stats).toMatchObject({ hits: 1, misses: 1, refreshes: 0 })
    })
  )

  it.scoped("refresh-ahead: at refreshOn the cached token is served at once and one background refresh runs", () =>
    Effect.gen(function* () {
      const cache = yield* TokenCache.make()
      const ep = fakeEndpoint((call) => (call === 1 ? ok(0) : ok(5_000)))
      yield* cache.get("k", ep.acquire("k"))
      yield* TestClock.adjust(REFRESH_AT)

      // Served without waiting for the 5 s refresh: the fiber is done before the clock moves.
      const served = yield* Effect.all(
        Array.from({ length: 5 }, () => cache.get("k", ep.acquire("k"))),
        {
          concurrency: "unbounded"
        }
      )
      expect(served.map((t) => t.token)).toEqual(Array(5).fill("k#1"))
      expect(ep.calls()).toBe(2)
      expect(cache.peek("k", REFRESH_AT)).toBeUndefined()

      yield* TestClock.adjust("5 seconds")
      expect((yield* cache.get("k", ep.acquire("k"))).token).toBe("k#2")
      expect(ep.calls()).toBe(2)
      expect(yield* cache.stats).toMatchObject({ refreshes: 1, refreshFailures: 0 })
    })
  )

  it.scoped("a failed refresh keeps serving the valid token, records the failure and waits before retrying", () =>
    Effect.gen(function* () {
      const cache = yield* TokenCache.make({ refreshRetryInterval: "30 seconds" })
      const ep = fakeEndpoint((call) => (call === 1 ? ok(0) : call <= 3 ? fail(0) : ok(0)))
      yield* cache.get("k", ep.acquire("k"))
      yield* TestClock.adjust(REFRESH_AT)

      expect((yield* cache.get("k", ep.acquire("k"))).token).toBe("k#1")
      yield* TestClock.adjust(0)
      expect(ep.calls()).toBe(2)
      const stats = yield* cache.stats
      expect(stats.refreshFailures).toBe(1)
      expect(stats.lastRefreshFailure).toStrictEqual(new AcquireFailed({ key: "k", call: 2 }))

      yield* TestClock.adjust("29 seconds")
      expect((yield* cache.get("k", ep.acquire("k"))).token).toBe("k#1")
      expect(ep.calls()).toBe(2)

      yield* TestClock.adjust("1 second")
      expect((yield* cache.get("k", ep.acquire("k"))).token).toBe("k#1")
      yield* TestClock.adjust(0)
      expect(ep.calls()).toBe(3)
      expect((yield* cache.stats).refreshFailures).toBe(2)

      yield* TestClock.adjust("30 seconds")
      yield* cache.get("k", ep.acquire("k"))
      yield* TestClock.adjust(0)
      expect((yield* cache.get("k", ep.acquire("k"))).token).toBe("k#4")
    })
  )

  it.scoped("an expired token is never returned: the caller waits for a new one", () =>
    Effect.gen(function* () {
      const cache = yield* TokenCache.make()
      const ep = fakeEndpoint((call) => (call === 1 ? ok(0) : ok(2_000)))
      yield* cache.get("k", ep.acquire("k"))
      yield* TestClock.adjust(HOUR)
      expect(cache.peek("k", HOUR)).toBeUndefined()

      const fiber = yield* Effect.fork(cache.get("k", ep.acquire("k")))
      yield* TestClock.adjust("1 second")
      expect(fiber.unsafePoll()).toBeNull()
      yield* TestClock.adjust("1 second")
      const token = yield* Fiber.join(fiber)
      expect(token.token).toBe("k#2")
      expect(token.expiresOn).toBeGreaterThan(yield* Clock.currentTimeMillis)
    })
  )

  it.scoped("an expired token whose refresh fails gives the error, not the stale token", () =>
    Effect.gen(function* () {
      const cache = yield* TokenCache.make()
      const ep = fakeEndpoint((call) => (call === 1 ? ok(0) : fail(0)))
      yield* cache.get("k", ep.acquire("k"))
      yield* TestClock.adjust(HOUR + 1)
      const exit = yield* Effect.exit(cache.get("k", ep.acquire("k")))
      expect(exit).toStrictEqual(Exit.fail(new AcquireFailed({ key: "k", call: 2 })))
    })
  )

  it.scoped("forceRefresh skips a valid token; a failed forced acquisition keeps the old one", () =>
    Effect.gen(function* () {
      const cache = yield* TokenCache.make()
      const ep = fakeEndpoint((call) => (call === 2 ? fail(0) : ok(0)))
      yield* cache.get("k", ep.acquire("k"))
      const failed = yield* Effect.exit(cache.get("k", ep.acquire("k"), { forceRefresh: true }))
      expect(Exit.isFailure(failed)).toBe(true)
      expect((yield* cache.get("k", ep.acquire("k"))).token).toBe("k#1")
      const forced = yield* cache.get("k", ep.acquire("k"), { forceRefresh: true })
      expect(forced.token).toBe("k#3")
      expect((yield* cache.get("k", ep.acquire("k"))).token).toBe("k#3")
    })
  )

  it.scoped("forceRefresh joins an acquisition already in flight", () =>
    Effect.gen(function* () {
      const cache = yield* TokenCache.make()
      const ep = fakeEndpoint(() => ok(1_000))
      const fiber = yield* Effect.fork(
        Effect.all(
          [
            cache.get("k", ep.acquire("k")),
            cache.get("k", ep.acquire("k"), { forceRefresh: true }),
            cache.get("k", ep.acquire("k"), { forceRefresh: true })
          ],
          { concurrency: "unbounded" }
        )
      )
      yield* TestClock.adjust("1 second")
      const tokens = yield* Fiber.join(fiber)
      expect(tokens.map((t) => t.token)).toEqual(["k#1", "k#1", "k#1"])
      expect(ep.calls()).toBe(1)
    })
  )

  it.scoped("bounded: the least recently used key is evicted first", () =>
    Effect.gen(function* () {
      const cache = yield* TokenCache.make({ maxEntries: 3 })
      const ep = fakeEndpoint(() => ok(0))
      for (const k of ["a", "b", "c"]) yield* cache.get(k, ep.acquire(k))
      yield* cache.get("a", ep.acquire("a"))
      expect(cache.peek("c", 0)?.token).toBe("c#3")
      yield* cache.get("d", ep.acquire("d"))
      const stats = yield* cache.stats
      expect(stats.size).toBe(3)
      expect(stats.evictions).toBe(1)
      expect(cache.peek("b", 0)).toBeUndefined()
      expect(cache.peek("a", 0)?.token).toBe("a#1")
      expect(cache.peek("c", 0)?.token).toBe("c#3")
      expect(cache.peek("d", 0)?.token).toBe("d#4")
    })
  )

  it.scoped("interrupting one waiting caller does not cancel the acquisition the others wait for", () =>
    Effect.gen(function* () {
      const cache = yield* TokenCache.make()
      const ep = fakeEndpoint(() => ok(1_000))
      const first = yield* Effect.fork(cache.get("k", ep.acquire("k")))
      const second = yield* Effect.fork(cache.get("k", ep.acquire("k")))
      yield* TestClock.adjust("500 millis")
      yield* Fiber.interrupt(first)
      yield* TestClock.adjust("500 millis")
      expect((yield* Fiber.join(second)).token).toBe("k#1")
      expect(ep.calls()).toBe(1)
      expect(ep.interrupted()).toBe(0)
    })
  )

  it.scoped("an acquisition whose every caller gave up is interrupted: it sends nothing more, caches nothing", () =>
    Effect.gen(function* () {
      const cache = yield* TokenCache.make()
      const ep = fakeEndpoint(() => ok(1_000))
      const first = yield* Effect.fork(cache.get("k", ep.acquire("k")))
      const second = yield* Effect.fork(cache.get("k", ep.acquire("k")))
      yield* TestClock.adjust("500 millis")
      yield* Fiber.interrupt(first)
      expect(ep.interrupted()).toBe(0)
      yield* Fiber.interrupt(second)
      yield* TestClock.adjust("1 second")
      expect(ep.interrupted()).toBe(1)
      expect(cache.peek("k", 1_500)).toBeUndefined()
      expect((yield* cache.stats).size).toBe(0)
      // The next caller starts a fresh acquisition instead of joining the cancelled one.
      const third = yield* Effect.fork(cache.get("k", ep.acquire("k")))
      yield* TestClock.adjust("1 second")
      expect((yield* Fiber.join(third)).token).toBe("k#2")
      expect(ep.calls()).toBe(2)
    })
  )

  it.scoped("a caller who joins before the last one leaves keeps the acquisition alive and gets its token", () =>
    Effect.gen(function* () {
      const cache = yield* TokenCache.make()
      const ep = fakeEndpoint(() => ok(1_000))
      const first = yield* Effect.fork(cache.get("k", ep.acquire("k")))
      yield* TestClock.adjust("300 millis")
      const second = yield* Effect.fork(cache.get("k", ep.acquire("k")))
      yield* TestClock.adjust("300 millis")
      yield* Fiber.interrupt(first)
      yield* TestClock.adjust("400 millis")
      expect((yield* Fiber.join(second)).token).toBe("k#1")
      expect(ep.calls()).toBe(1)
      expect(ep.interrupted()).toBe(0)
    })
  )

  it.scoped("a background refresh nobody waits for runs to its end, marked as background work", () =>
    Effect.gen(function* () {
      const cache = yield* TokenCache.make()
      let marked: boolean | undefined
      const ep = fakeEndpoint(() => ok(1_000))
      const acquire = Effect.zipRight(
        FiberRef.getWith(HttpTransport.background, (background) => Effect.sync(() => (marked = background))),
        ep.acquire("k")
      )
      const fiber = yield* Effect.fork(cache.get("k", acquire))
      yield* TestClock.adjust("1 second")
      yield* Fiber.join(fiber)
      expect(marked).toBe(false)
      // The token arrived at 1 s, so it is due for refresh at 1 s + REFRESH_AT.
      yield* TestClock.adjust(Duration.millis(REFRESH_AT))
      const served = yield* cache.get("k", acquire)
      expect(served.token).toBe("k#1")
      yield* TestClock.adjust("1 second")
      expect(marked).toBe(true)
      expect(cache.peek("k", REFRESH_AT + 2_000)?.token).toBe("k#2")
    })
  )

  it.effect("closing the cache's scope interrupts acquisitions in flight", () =>
    Effect.gen(function* () {
      const ep = fakeEndpoint(() => ok(10_000))
      yield* Effect.scoped(
        Effect.gen(function* () {
          const cache = yield* TokenCache.make()
          yield* Effect.fork(cache.get("k", ep.acquire("k")))
          yield* TestClock.adjust("1 second")
        })
      )
      expect(ep.interrupted()).toBe(1)
    })
  )

  it.scoped("peek: the token while fresh; undefined when due for refresh, expired, unknown or invalidated", () =>
    Effect.gen(function* () {
      const cache = yield* TokenCache.make()
      const ep = fakeEndpoint(() => ok(0))
      yield* cache.get("k", ep.acquire("k"))
      expect(cache.peek("k", 0)?.token).toBe("k#1")
      expect(cache.peek("k", REFRESH_AT - 1)?.token).toBe("k#1")
      expect(cache.peek("k", REFRESH_AT)).toBeUndefined()
      expect(cache.peek("k", HOUR)).toBeUndefined()
      expect(cache.peek("other", 0)).toBeUndefined()
      expect((yield* cache.stats).hits).toBe(2)
      yield* cache.invalidate("k")
      expect(cache.peek("k", 0)).toBeUndefined()
      expect((yield* cache.get("k", ep.acquire("k"))).token).toBe("k#2")
    })
  )

  describe("properties", () => {
    const behaviour = FastCheck.record({
      latencyMs: FastCheck.integer({ min: 0, max: 5_000 }),
      fail: FastCheck.boolean(),
      lifetimeMs: FastCheck.integer({ min: 1_000, max: 3 * HOUR })
    })
    const op = FastCheck.oneof(
      FastCheck.record({
        _tag: FastCheck.constant("advance" as const),
        ms: FastCheck.integer({ min: 0, max: 2 * HOUR })
      }),
      FastCheck.record({
        _tag: FastCheck.constant("get" as const),
        key: FastCheck.constantFrom("a", "b", "c"),
        callers: FastCheck.integer({ min: 1, max: 4 }),
        force: FastCheck.boolean()
      })
    )

    it.effect.prop(
      "random interleavings never yield an expired token or another key's token, and never run two acquisitions of a key at once",
      {
        ops: FastCheck.array(op, { maxLength: 30 }),
        behaviours: FastCheck.array(behaviour, { minLength: 1, maxLength: 8 }),
        maxEntries: FastCheck.constantFrom(1, 2, 4)
      },
      ({ behaviours, maxEntries, ops }) =>
        Effect.scoped(
          Effect.gen(function* () {
            const cache = yield* TokenCache.make({ maxEntries, refreshRetryInterval: "10 seconds" })
            const ep = fakeEndpoint((call) => behaviours[(call - 1) % behaviours.length]!)
            const checked = (key: string, force: boolean) =>
              cache.get(key, ep.acquire(key), { forceRefresh: force }).pipe(
                Effect.flatMap((token) =>
                  Effect.map(Clock.currentTimeMillis, (now) => {
                    if (token.resource !== key || !token.token.startsWith(`${key}#`)) {
                      return `got ${token.token} for ${key}`
                    }
                    if (now >= token.expiresOn) return `got ${token.token} expired at ${token.expiresOn}, now ${now}`
                    return undefined
                  })
                ),
                Effect.catchTag("AcquireFailed", (e) =>
                  Effect.succeed(e.key === key ? undefined : `error of ${e.key} for ${key}`)
                )
              )
            const fibers: Array<Fiber.RuntimeFiber<string | undefined>> = []
            for (const o of ops) {
              if (o._tag === "advance") yield* TestClock.adjust(Duration.millis(o.ms))
              else for (let i = 0; i < o.callers; i++) fibers.push(yield* Effect.fork(checked(o.key, o.force)))
            }
            yield* TestClock.adjust(Duration.hours(10))
            const problems = (yield* Effect.all(fibers.map(Fiber.join))).filter((p) => p !== undefined)
            expect(problems).toEqual([])
            expect(ep.maxConcurrentPerKey()).toBeLessThanOrEqual(1)
          })
        ),
      { fastCheck: { numRuns: Number(process.env.PROPERTY_RUNS ?? 100) } }
    )

    it.effect.prop(
      "N concurrent misses make one request",
      { n: FastCheck.integer({ min: 1, max: 50 }), latencyMs: FastCheck.integer({ min: 0, max: 10_000 }) },
      ({ latencyMs, n }) =>
        Effect.scoped(
          Effect.gen(function* () {
            const cache = yield* TokenCache.make()
            const ep = fakeEndpoint(() => ok(latencyMs))
            const fiber = yield* Effect.fork(
              Effect.all(
                Array.from({ length: n }, () => cache.get("k", ep.acquire("k"))),
                { concurrency: "unbounded" }
              )
            )
            yield* TestClock.adjust(Duration.millis(latencyMs))
            const tokens = yield* Fiber.join(fiber)
            expect(ep.calls()).toBe(1)
            expect(tokens.every((t) => t.token === "k#1")).toBe(true)
          })
        ),
      { fastCheck: { numRuns: 50 } }
    )
  })
})
