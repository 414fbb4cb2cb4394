import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as FiberId from "effect/FiberId"
import * as Option from "effect/Option"
import type * as Scope from "effect/Scope"
import type { AccessToken } from "../AccessToken.js"
import * as Identity from "../Identity.js"
import { attributes, outcomeOf, recordCacheResult, refreshSpanName } from "../Telemetry.js"
import type * as TokenCache from "../TokenCache.js"

const DEFAULT_MAX_ENTRIES = 4096
const DEFAULT_REFRESH_RETRY_INTERVAL = Duration.seconds(30)

interface Entry {
  /** The last token acquired for the key; kept through failed refreshes while it is valid. */
  token: AccessToken | undefined
  /** The acquisition in flight (foreground or background): every caller joins it, so there is one at a time. */
  inflight: Deferred.Deferred<AccessToken, unknown> | undefined
  /** When the last background refresh failed, to space out the next one. */
  lastRefreshFailureAt: number | undefined
}

export const key = (parts: {
  readonly source: string
  readonly identity: Identity.Identity
  readonly resource: string
}): string => JSON.stringify([parts.source, Identity.key(parts.identity), parts.resource])

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
      deferred: Deferred.Deferred<AccessToken, unknown>,
      background: boolean,
      exit: Exit.Exit<AccessToken, unknown>,
      now: number
    ): void => {
      if (entry.inflight === deferred) entry.inflight = undefined
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
     * and returns the effect that forks it into the cache's scope, where no caller's interruption
     * cancels it.
     */
    const start = <E, R>(
      k: string,
      entry: Entry,
      acquire: Effect.Effect<AccessToken, E, R>,
      background: boolean
    ): Effect.Effect<Deferred.Deferred<AccessToken, unknown>, never, R> => {
      const deferred = Deferred.unsafeMake<AccessToken, unknown>(FiberId.none)
      entry.inflight = deferred
      const settled = Effect.interruptible(acquire).pipe(
        Effect.onExit((exit) =>
          Effect.map(Clock.currentTimeMillis, (now) => settle(k, entry, deferred, background, exit, now))
        )
      )
      // A background refresh outlives the call that triggered it: it gets its own root span, linked to
      // that call's span (which the forked fiber still sees as its current span).
      const traced = background
        ? Effect.flatMap(Effect.option(Effect.currentSpan), (parent) =>
            settled.pipe(
              Effect.onExit((exit) => Effect.annotateCurrentSpan(attributes.outcome, outcomeOf(exit))),
              Effect.withSpan(refreshSpanName, {
                root: true,
                links: Option.isSome(parent) ? [{ _tag: "SpanLink", span: parent.value, attributes: {} }] : [],
                attributes: { [attributes.cache]: "refresh-ahead" },
                captureStackTrace: false
              })
            )
          )
        : settled
      return Effect.as(Effect.forkIn(traced, scope), deferred)
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
              const due =
                entry.inflight === undefined &&
                (entry.lastRefreshFailureAt === undefined || now - entry.lastRefreshFailureAt >= refreshRetryIntervalMs)
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
          return joined.pipe(
            Effect.zipLeft(recordCacheResult("miss")),
            Effect.flatMap((deferred) => restore(Deferred.await(deferred as Deferred.Deferred<AccessToken, E>)))
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

    const stats: Effect.Effect<TokenCache.CacheStats> = Effect.sync(() => ({
      size: entries.size,
      hits,
      misses,
      refreshes,
      refreshFailures,
      evictions,
      ...(lastRefreshFailure === undefined ? {} : { lastRefreshFailure: lastRefreshFailure.value })
    }))

    return { peek, get, invalidate, stats } satisfies TokenCache.TokenCache
  })
