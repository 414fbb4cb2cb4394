/**
 * Seven simulated days under TestClock: one resource whose tokens live 1 hour, one whose tokens live
 * 24 hours, a caller every 5 minutes for each, and random endpoint outages of up to 20 minutes (503,
 * resets, refusals, black holes). The properties that must hold for the whole week:
 *
 * - an expired token is never returned;
 * - while the last token a caller got is still valid, the next call is served from the cache: the
 *   background refresh renewed it ahead of expiry, or the old token is kept through the outage;
 * - a call fails only when no valid token exists any more, during an outage (or just after it, while
 *   the circuit breaker cools down);
 * - memory stays flat: the cache holds two keys and the number of live fibers stays small.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Random from "effect/Random"
import * as Supervisor from "effect/Supervisor"
import * as TestClock from "effect/TestClock"
import { Environment, HttpTransport, ManagedIdentity } from "../../src/index.js"
import { noFiles, noPinning } from "../support/sourceFakes.js"

const MINUTE = 60_000
const HOUR = 60 * MINUTE
const DAY = 24 * HOUR
const WEEK = 7 * DAY
/**
 * How often each caller asks. Every TestClock step costs a few real milliseconds (it waits for the
 * other fibers to suspend), so the week is walked in 5-minute steps: still one call inside every
 * hourly token's 5-minute refresh window.
 */
const CALL_INTERVAL = Duration.minutes(5)

const HOURLY = "https://hourly.example.com"
const DAILY = "https://daily.example.com"
const lifetimeOf: Record<string, number> = { [HOURLY]: HOUR, [DAILY]: DAY }

/** mulberry32: a small seeded generator, so the outage schedule is the same on every run. */
const seeded = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}

type OutageKind = "503" | "reset" | "refused" | "blackhole"

interface Outage {
  readonly start: number
  readonly end: number
  readonly kind: OutageKind
}

/**
 * The first outage is placed on purpose: it starts just before the first hourly token's refresh
 * time (55 minutes) and outlasts its expiry (60 minutes), so callers must wait and fail rather than
 * get the expired token. Then outages every 1–6 hours (uniform), each lasting 1–20 minutes.
 */
const outageSchedule = (random: () => number): ReadonlyArray<Outage> => {
  const kinds: ReadonlyArray<OutageKind> = ["503", "reset", "refused", "blackhole"]
  const outages: Array<Outage> = [{ start: 54 * MINUTE, end: 74 * MINUTE, kind: "503" }]
  let at = 2 * HOUR
  while (at < WEEK) {
    at += HOUR + Math.floor(random() * 5 * HOUR)
    const length = MINUTE + Math.floor(random() * 19 * MINUTE)
    outages.push({ start: at, end: at + length, kind: kinds[outages.length % kinds.length]! })
    at += length
  }
  return outages
}

const outageAt = (outages: ReadonlyArray<Outage>, now: number): Outage | undefined =>
  outages.find((outage) => now >= outage.start && now < outage.end)

const transport = (code: string) => Object.assign(new Error(`connect ${code} 127.0.0.1:8079`), { code })

/** IMDS on loopback, answering from the schedule: tokens of each resource's lifetime, or the outage's failure. */
const upstream = (outages: ReadonlyArray<Outage>) => {
  const counts = { requests: 0, issued: 0 }
  // A transport of its own rather than a fake `fetch`: it reads the TestClock to know the outage.
  const transport_: HttpTransport.Service = {
    send: (request) =>
      Effect.flatMap(Clock.currentTimeMillis, (now) => {
        counts.requests++
        const fail = (code: string) =>
          Effect.fail(
            new HttpTransport.TransportError({
              reason: "request",
              cause: transport(code),
              message: "the request failed"
            })
          )
        switch (outageAt(outages, now)?.kind) {
          case "503":
            return Effect.succeed({ status: 503, headers: {}, body: "{}" })
          case "reset":
            return fail("ECONNRESET")
          case "refused":
            return fail("ECONNREFUSED")
          case "blackhole":
            return Effect.never
          case undefined: {
            const built = HttpTransport.parts(request)
            const resource = built._tag === "Right" ? (built.right.url.searchParams.get("resource") ?? "") : ""
            counts.issued++
            const body = JSON.stringify({
              access_token: `token-${counts.issued}`,
              expires_in: String((lifetimeOf[resource] ?? HOUR) / 1000),
              token_type: "Bearer",
              resource
            })
            return Effect.succeed({ status: 200, headers: {}, body })
          }
        }
      })
  }
  return { counts, layer: Layer.succeed(HttpTransport.HttpTransport, transport_) }
}

interface Call {
  readonly resource: string
  readonly startedAt: number
  readonly endedAt: number
  readonly miss: boolean
  readonly result: Either.Either<{ readonly token: string; readonly expiresOn: number }, string>
  /** When the token this caller held before the call expired (undefined for the first call). */
  readonly heldExpiresOn: number | undefined
}

describe("a week under TestClock", () => {
  it.scoped("refreshes ahead, never returns an expired token, keeps valid tokens through outages, stays flat", () =>
    Effect.gen(function* () {
      const outages = outageSchedule(seeded(20_250_707))
      const endpoint = upstream(outages)
      const supervisor = yield* Supervisor.track
      const mi = yield* ManagedIdentity.make({ endpointGuard: ManagedIdentity.allowLoopbackOnly }).pipe(
        Effect.provide(
          Layer.mergeAll(
            endpoint.layer,
            Environment.layer({ AZURE_POD_IDENTITY_AUTHORITY_HOST: "http://127.0.0.1:8079" }),
            noFiles,
            noPinning
          )
        )
      )
      const stats = Effect.map(mi.cacheStats, (s) => s!)
      const held = new Map<string, number>()
      const calls: Array<Call> = []

      let maxFibers = 0
      const sampleFibers = Effect.flatMap(supervisor.value, (fibers) =>
        Effect.sync(() => {
          maxFibers = Math.max(maxFibers, fibers.length)
        })
      )
      const call = (resource: string) =>
        Effect.gen(function* () {
          const startedAt = yield* Clock.currentTimeMillis
          const missesBefore = (yield* stats).misses
          const result = yield* Effect.either(mi.getToken(resource))
          const endedAt = yield* Clock.currentTimeMillis
          const missesAfter = (yield* stats).misses
          // Background refreshes this call started are alive now, if any.
          yield* sampleFibers
          const heldExpiresOn = held.get(resource)
          if (Either.isRight(result)) held.set(resource, result.right.expiresOn)
          calls.push({
            resource,
            startedAt,
            endedAt,
            miss: missesAfter > missesBefore,
            heldExpiresOn,
            result: Either.isRight(result)
              ? Either.right({ token: result.right.token, expiresOn: result.right.expiresOn })
              : Either.left(result.left._tag)
          })
        })

      let maxEntries = 0
      const start = yield* Clock.currentTimeMillis
      while ((yield* Clock.currentTimeMillis) - start < WEEK) {
        // Both callers of this step run one after the other (so cache counters are theirs alone).
        const fiber = yield* Effect.fork(Effect.supervised(Effect.zipRight(call(HOURLY), call(DAILY)), supervisor))
        yield* sampleFibers
        yield* TestClock.adjust(CALL_INTERVAL)
        // A caller left waiting for a new token (retries, attempt timeouts) keeps the clock moving.
        while (Option.isNone(yield* Fiber.poll(fiber))) yield* TestClock.adjust(Duration.seconds(10))
        yield* Fiber.join(fiber)
        yield* sampleFibers
        maxEntries = Math.max(maxEntries, (yield* stats).size)
      }

      // --- an expired token is never returned ---------------------------------------------------
      const served = calls.filter((c) => Either.isRight(c.result))
      for (const c of served) {
        const token = Either.getOrThrow(c.result)
        expect(token.expiresOn).toBeGreaterThan(c.endedAt)
      }

      // --- a valid token is served from the cache, through outages too ---------------------------
      const stillValid = calls.filter((c) => c.heldExpiresOn !== undefined && c.startedAt < c.heldExpiresOn)
      expect(stillValid.filter((c) => c.miss || Either.isLeft(c.result))).toEqual([])
      const servedInOutage = stillValid.filter((c) => outageAt(outages, c.startedAt) !== undefined)
      expect(servedInOutage.length).toBeGreaterThan(100)

      // --- failures only without a valid token, during an outage or its cool-down ---------------
      const failures = calls.filter((c) => Either.isLeft(c.result))
      const slack = 5 * MINUTE
      for (const c of failures) {
        expect(c.heldExpiresOn === undefined || c.startedAt >= c.heldExpiresOn).toBe(true)
        expect(outages.some((o) => c.startedAt >= o.start && c.startedAt < o.end + slack)).toBe(true)
      }
      // The planted outage made the hourly token run out: its callers waited and failed, typed.
      expect(failures.some((c) => c.resource === HOURLY && c.startedAt >= HOUR && c.startedAt < 74 * MINUTE)).toBe(true)
      // The daily token (refreshed at half-life) never runs out during a 20-minute outage.
      expect(failures.filter((c) => c.resource === DAILY)).toEqual([])

      // --- refreshed ahead: renewals vastly outnumber callers who had to wait ---------------------
      const final = yield* stats
      const hourlyCalls = calls.filter((c) => c.resource === HOURLY)
      expect(final.refreshes).toBeGreaterThan(150) // ≈ 7 × 24 × 60/55 hourly + 14 daily renewals
      expect(hourlyCalls.filter((c) => c.miss).length).toBeLessThan(outages.length + 2)
      expect(calls.filter((c) => c.resource === DAILY && c.miss)).toHaveLength(1) // only the very first call

      // --- memory stays flat -------------------------------------------------------------------
      expect(maxEntries).toBeLessThanOrEqual(2)
      expect(final.size).toBeLessThanOrEqual(2)
      expect(maxFibers).toBeGreaterThan(0) // the supervisor does see the background refreshes
      expect(maxFibers).toBeLessThanOrEqual(4)
      expect(calls.length).toBeGreaterThanOrEqual(2 * 7 * 24 * 12 * 0.9)
      // Upstream load: a renewal per 55 minutes (hourly) or 12 hours (daily), plus re-acquisitions after outages.
      expect(endpoint.counts.issued).toBeLessThanOrEqual(Math.ceil(WEEK / (55 * MINUTE)) + 14 + outages.length)
      expect(endpoint.counts.requests).toBeLessThan(1.5 * endpoint.counts.issued)
    }).pipe(Effect.withRandom(Random.make("long-run")))
  )
})
