/**
 * The token cache, keyed by (source, identity, resource), with the rules of the design:
 *
 * - single-flight: N concurrent callers for a missing key make exactly one acquisition and all get
 *   its token or its error; a failed acquisition is not cached;
 * - a valid token before its `refreshOn` is a hit; at or after `refreshOn` it is still returned at
 *   once, and one background refresh starts (at most one per key; a failure is recorded, the old
 *   token kept while valid, and the next try waits `refreshRetryInterval`);
 * - an expired token is never returned: the caller waits for a new one;
 * - `forceRefresh` skips the cached token but joins an acquisition already in flight;
 * - bounded: at most `maxEntries` keys, least recently used evicted first.
 *
 * Acquisitions run in the cache's scope, so interrupting one waiting caller never cancels the
 * acquisition the others wait for. Time is read from Effect's `Clock` (except `peek`, which is given
 * `now`), so tests drive it with `TestClock`.
 *
 * @since 0.1.0
 */
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import type { AccessToken } from "./AccessToken.js"
import type { Identity } from "./Identity.js"
import * as internal from "./internal/cache.js"

/**
 * Counters of a cache since it was made.
 *
 * @since 0.1.0
 * @category models
 */
export interface CacheStats {
  /** Keys held (tokens and acquisitions in flight). */
  readonly size: number
  /** Calls served from the cache (`peek` hits, fresh hits and refresh-ahead). */
  readonly hits: number
  /** Calls that waited for an acquisition (no token, expired, forced). */
  readonly misses: number
  /** Background refreshes started. */
  readonly refreshes: number
  /** Background refreshes that failed. */
  readonly refreshFailures: number
  /** Keys evicted to stay within `maxEntries`. */
  readonly evictions: number
  /** The error of the last failed background refresh, if any. */
  readonly lastRefreshFailure?: unknown
}

/**
 * Options of `make`.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** The most keys held; the least recently used is evicted first (default 4096). */
  readonly maxEntries?: number | undefined
  /** The shortest gap between failed background refreshes of one key (default 30 seconds). */
  readonly refreshRetryInterval?: Duration.DurationInput | undefined
}

/**
 * Options of one `get`.
 *
 * @since 0.1.0
 * @category models
 */
export interface GetOptions {
  /** Skip the cached token (it stays cached if the new acquisition fails); still joins one in flight. */
  readonly forceRefresh?: boolean | undefined
}

/**
 * A token cache.
 *
 * @since 0.1.0
 * @category models
 */
export interface TokenCache {
  /**
   * The synchronous fast path of the Promise API: the cached token if it is valid and not yet due for
   * refresh at `now`, else `undefined`. O(1); it allocates nothing and starts nothing.
   */
  readonly peek: (key: string, now: number) => AccessToken | undefined
  /**
   * The token for `key`: cached, or from `acquire` (run once however many callers wait for it).
   * Callers of one key are expected to pass equivalent acquisitions: a joining caller gets the result
   * of the acquisition already in flight, whoever started it.
   */
  readonly get: <E, R>(
    key: string,
    acquire: Effect.Effect<AccessToken, E, R>,
    options?: GetOptions
  ) => Effect.Effect<AccessToken, E, R>
  /** Forgets the token for `key` (an acquisition in flight still completes and is cached). */
  readonly invalidate: (key: string) => Effect.Effect<void>
  /**
   * The token held for `key` if it is still valid at `now`, due for refresh or not (the one a claims
   * challenge replaces); `undefined` otherwise. Counts nothing.
   */
  readonly current: (key: string, now: number) => AccessToken | undefined
  /**
   * Holds `token` for `key` in place of what was there (a token minted for a claims challenge
   * replaces the one it revoked); an expired token is not held.
   */
  readonly set: (key: string, token: AccessToken, now: number) => void
  /** The cache's counters. */
  readonly stats: Effect.Effect<CacheStats>
}

/**
 * Creates a cache whose acquisitions and background refreshes live in the current scope; closing
 * the scope interrupts them.
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import * as Effect from "effect/Effect"
 * import { AccessToken, Identity, TokenCache } from "@managed-identity/core"
 *
 * declare const acquire: Effect.Effect<AccessToken.AccessToken>
 *
 * const program = Effect.scoped(
 *   Effect.gen(function* () {
 *     const cache = yield* TokenCache.make({ maxEntries: 100 })
 *     const key = TokenCache.key({ source: "IMDS", identity: Identity.systemAssigned, resource: "https://vault.azure.net" })
 *     return yield* cache.get(key, acquire)
 *   })
 * )
 * ```
 */
export const make: (options?: Options) => Effect.Effect<TokenCache, never, Scope.Scope> = internal.make

/**
 * The cache key of a (source, identity, resource) triple; unambiguous whatever the parts contain.
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import { Identity, TokenCache } from "@managed-identity/core"
 *
 * TokenCache.key({ source: "IMDS", identity: Identity.clientId("abc"), resource: "https://storage.azure.com" })
 * // '["IMDS","ClientId:abc","https://storage.azure.com"]'
 * ```
 */
export const key: (parts: {
  readonly source: string
  readonly identity: Identity
  readonly resource: string
}) => string = internal.key
