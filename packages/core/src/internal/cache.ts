import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as FiberId from "effect/FiberId"
import * as Option from "effect/Option"
import type * as Scope from "effect/Scope"
import type { AccessToken } from "../AccessToken.js"
import { attributes, outcomeOf, recordCacheResult, refreshSpanName } from "./telemetry.js"
import { backgroundWork } from "./background.js"
import { REFRESH_RETRY_INTERVAL_MS, refreshDue } from "./refreshAhead.js"
import type * as TokenCache from "../TokenCache.js"

const DEFAULT_MAX_ENTRIES = 4096
const DEFAULT_REFRESH_RETRY_INTERVAL = Duration.millis(REFRESH_RETRY_INTERVAL_MS)

/**
 * One acquisition in flight. A foreground one (a caller is waiting) lives as long as someone waits:
 * when the last waiter leaves (an abort, a deadline, an interruption) it is interrupted, so an
 * abandoned call sends no more requests and holds no timer. A background refresh has no waiter to
 * lose: it runs to the end of its own retry policy, marked as background work.
 */
interface Flight {
  readonly deferred: Deferred.Deferred<AccessToken, unknown>
  readonly background: boolean
  /** Callers waiting on `deferred`. */
  waiters: number
  fiber: Fiber.RuntimeFiber<unknown, unknown> | undefined
  /** The acquisition has ended (its result is in `deferred`). */
  done: boolean
}

interface Entry {
  /** The last token acquired for the key; kept through failed refreshes while it is valid. */
  token: AccessToken | undefined
  /** The acquisition in flight (foreground or background): every caller joins it, so there is one at a time. */
  inflight: Flight | undefined
  /** When the last background refresh failed, to space out the next one. */
  lastRefreshFailureAt: number | undefined
}

export { key } from "./cacheKey.js"

const durationMillis = (input: Duration.DurationInput | undefined, fallback: Duration.Duration): number => {
  const decoded = input === undefined ? Option.none() : Duration.decodeUnknown(input)
  const ms = Duration.toMillis(Option.getOrElse(decoded, () => fallback))
  return Number.isNaN(ms) ? Duration.toMillis(fallback) : Math.max(0, ms)
}

export const make = (options: TokenCache.Options = {}): Effect.Effect<TokenCache.TokenCache, never, Scope.Scope> =>
  Effect.map(Effect.scope, (scope) => {
    const maxEntries =
      options.maxEntries !== undefined && Number.isFinite(options.maxEntries)
        ? Math.max(1, Math.floor(options.maxEntries))
        : DEFAULT_MAX_ENTRIES
    const refreshRetryIntervalMs = durationMillis(options.refreshRetryInterval, DEFAULT_REFRESH_RETRY_INTERVAL)

    // A Map iterates in insertion order: re-inserting on use keeps the least recently used first.
    const entries = new Map<string, Entry>()
    let mostRecent: string | undefined
    let hits = 0
    let misses = 0
    let refreshes = 0
    let refreshFailures = 0
    let evictions = 0
    let lastRefreshFailure: { readonly value: unknown } | undefined

    const touch = (k: string, entry: Entry): void => {
      if (mostRecent === k) return
      entries.delete(k)
      entries.set(k, entry)
      mostRecent = k
    }

    const remove = (k: string): void => {
      entries.delete(k)
      if (mostRecent === k) mostRecent = undefined
    }

    // Entries with an acquisition in flight are never evicted: their callers are waiting on them, and
    // dropping one would let a second acquisition start. Under such pressure the bound is exceeded briefly.
    // The key being added is protected too: its acquisition is registered only after eviction.
    const evict = (adding: string): void => {
      if (entries.size <= maxEntries) return
      for (const [k, entry] of entries) {
        if (entries.size <= maxEntries) return
        if (entry.inflight === undefined && k !== adding) {
          remove(k)
          evictions++
        }
      }
    }

    const settle = (
      k: string,
      entry: Entry,
      flight: Flight,
      exit: Exit.Exit<AccessToken, unknown>,
      now: number
    ): void => {
      const { deferred, background } = flight
      flight.done = true
      if (entry.inflight === flight) entry.inflight = undefined
      const current = entries.get(k) === entry
      if (Exit.isSuccess(exit)) {
        // A token that is already expired is handed to the waiting callers but never cached.
        if (now < exit.value.expiresOn) {
          entry.token = exit.value
          entry.lastRefreshFailureAt = undefined
        }
      } else if (background) {
        refreshFailures++
        const failure = Cause.failureOption(exit.cause)
        lastRefreshFailure = { value: Option.isSome(failure) ? failure.value : Cause.squash(exit.cause) }
        entry.lastRefreshFailureAt = now
      }
      // A failed acquisition is not cached: drop entries that hold nothing usable.
      if (current && entry.inflight === undefined && (entry.token === undefined || now >= entry.token.expiresOn)) {
        remove(k)
      }
      Deferred.unsafeDone(deferred, exit)
    }

    /**
     * Registers the one acquisition for `k` (synchronously, so no other caller can start a second one)
     * and returns the effect that forks it into the cache's scope, where it outlives any single caller.
     */
    const start = <E, R>(
      k: string,
      entry: Entry,
      acquire: Effect.Effect<AccessToken, E, R>,
      background: boolean
    ): Effect.Effect<Flight, never, R> => {
      const flight: Flight = {
        deferred: Deferred.unsafeMake<AccessToken, unknown>(FiberId.none),
        background,
        waiters: 0,
        fiber: undefined,
        done: false
      }
      entry.inflight = flight
      const settled = Effect.interruptible(acquire).pipe(
        Effect.onExit((exit) => Effect.map(Clock.currentTimeMillis, (now) => settle(k, entry, flight, exit, now)))
      )
      // A background refresh outlives the call that triggered it: it gets its own root span, linked to
      // that call's span (which the forked fiber still sees as its current span), and is marked as
      // background work, so timers and connections that allow it do not hold the process open.
      const traced = background
        ? Effect.flatMap(Effect.option(Effect.currentSpan), (parent) =>
            settled.pipe(
              Effect.onExit((exit) => Effect.annotateCurrentSpan(attributes.outcome, outcomeOf(exit))),
              Effect.withSpan(refreshSpanName, {
                root: true,
                links: Option.isSome(parent) ? [{ _tag: "SpanLink", span: parent.value, attributes: {} }] : [],
                attributes: { [attributes.cache]: "refresh-ahead" },
                captureStackTrace: false
              }),
              Effect.locally(backgroundWork, true)
            )
          )
        : settled
      return Effect.map(Effect.forkIn(traced, scope), (fiber) => {
        flight.fiber = fiber
        return flight
      })
    }

    /**
     * Waits for a flight as one of its callers. The last caller of a foreground flight to leave before
     * it ends interrupts it and detaches it from the entry, so a caller who comes later starts afresh
     * instead of joining an acquisition that is being cancelled.
     */
    const wait = <E>(
      k: string,
      entry: Entry,
      flight: Flight,
      restore: <A, E1, R1>(effect: Effect.Effect<A, E1, R1>) => Effect.Effect<A, E1, R1>
    ): Effect.Effect<AccessToken, E> => {
      flight.waiters++
      return restore(Deferred.await(flight.deferred as Deferred.Deferred<AccessToken, E>)).pipe(
        Effect.onExit((exit) =>
          Effect.suspend(() => {
            flight.waiters--
            const fiber = flight.fiber
            if (
              flight.waiters > 0 ||
              flight.background ||
              flight.done ||
              fiber === undefined ||
              !Exit.isInterrupted(exit)
            ) {
              return Effect.void
            }
            if (entry.inflight === flight) {
              entry.inflight = undefined
              if (entries.get(k) === entry && entry.token === undefined) remove(k)
            }
            // Forked: the caller who left must not wait for the acquisition's clean-up.
            return Effect.asVoid(Fiber.interruptFork(fiber))
          })
        )
      )
    }

    const peek = (k: string, now: number): AccessToken | undefined => {
      const entry = entries.get(k)
      if (entry === undefined) return undefined
      const token = entry.token
      if (token === undefined || now >= token.refreshOn || now >= token.expiresOn) return undefined
      touch(k, entry)
      hits++
      return token
    }

    const get = <E, R>(
      k: string,
      acquire: Effect.Effect<AccessToken, E, R>,
      getOptions?: TokenCache.GetOptions
    ): Effect.Effect<AccessToken, E, R> =>
      // Uninterruptible until the acquisition is registered and forked, so an interrupted caller can
      // never leave a registered acquisition that nobody runs; waiting for it is interruptible.
      Effect.uninterruptibleMask((restore) =>
        Effect.flatMap(Clock.currentTimeMillis, (now): Effect.Effect<AccessToken, E, R> => {
          let entry = entries.get(k)
          if (entry !== undefined) {
            touch(k, entry)
            const token = entry.token
            if (token !== undefined && now >= token.expiresOn) entry.token = undefined
            else if (token !== undefined && getOptions?.forceRefresh !== true) {
              hits++
              if (now < token.refreshOn) return Effect.as(recordCacheResult("hit"), token)
              const due = refreshDue(entry.inflight, entry.lastRefreshFailureAt, now, refreshRetryIntervalMs)
              if (!due) return Effect.as(recordCacheResult("refresh-ahead"), token)
              refreshes++
              return start(k, entry, acquire, true).pipe(
                Effect.zipRight(recordCacheResult("refresh-ahead")),
                Effect.as(token)
              )
            }
          } else {
            entry = { token: undefined, inflight: undefined, lastRefreshFailureAt: undefined }
            entries.set(k, entry)
            mostRecent = k
            evict(k)
          }
          misses++
          const inflight = entry.inflight
          const joined = inflight === undefined ? start(k, entry, acquire, false) : Effect.succeed(inflight)
          const current = entry
          return joined.pipe(
            Effect.zipLeft(recordCacheResult("miss")),
            Effect.flatMap((flight) => wait<E>(k, current, flight, restore))
          )
        })
      )

    const invalidate = (k: string): Effect.Effect<void> =>
      Effect.sync(() => {
        const entry = entries.get(k)
        if (entry === undefined) return
        entry.token = undefined
        entry.lastRefreshFailureAt = undefined
        if (entry.inflight === undefined) remove(k)
      })

    const current = (k: string, now: number): AccessToken | undefined => {
      const token = entries.get(k)?.token
      return token !== undefined && now < token.expiresOn ? token : undefined
    }

    const set = (k: string, token: AccessToken, now: number): void => {
      if (now >= token.expiresOn) return
      let entry = entries.get(k)
      if (entry === undefined) {
        entry = { token: undefined, inflight: undefined, lastRefreshFailureAt: undefined }
        entries.set(k, entry)
        evict(k)
      }
      touch(k, entry)
      entry.token = token
      entry.lastRefreshFailureAt = undefined
    }

    const stats: Effect.Effect<TokenCache.CacheStats> = Effect.sync(() => ({
      size: entries.size,
      hits,
      misses,
      refreshes,
      refreshFailures,
      evictions,
      ...(lastRefreshFailure === undefined ? {} : { lastRefreshFailure: lastRefreshFailure.value })
    }))

    return { peek, get, invalidate, current, set, stats } satisfies TokenCache.TokenCache
  })
