/**
 * The span and metric names of every token acquisition, and the small recorders the
 * `ManagedIdentity` layer and the `TokenCache` call. Everything goes through Effect's tracer and
 * `effect/Metric`, so `@effect/opentelemetry` exports it with no extra code.
 *
 * Attributes carry the source, the identity's kind (never the id), the resource, the attempt
 * count, the cache result, the outcome and the HTTP status: never a token, a secret header value
 * or an error's cause.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import type * as Exit from "effect/Exit"
import * as Metric from "effect/Metric"
import * as MetricLabel from "effect/MetricLabel"
import type { Identity } from "./Identity.js"
import type { ManagedIdentityError } from "./ManagedIdentityError.js"
import type { SourceName } from "./SourceName.js"
import * as internal from "./internal/telemetry.js"

/**
 * The span of one `getToken` call.
 *
 * @since 0.1.0
 * @category names
 * @example
 * ```ts
 * import { Telemetry } from "@managed-identity/core"
 *
 * console.log(Telemetry.spanName) // "managed_identity.get_token"
 * ```
 */
export const spanName: "managed_identity.get_token" = internal.spanName

/**
 * The span of a background refresh started by the token cache. It is a root span linked to the
 * call that triggered it, because that call has usually ended before the refresh does.
 *
 * @since 0.1.0
 * @category names
 * @example
 * ```ts
 * import { Telemetry } from "@managed-identity/core"
 *
 * console.log(Telemetry.refreshSpanName) // "managed_identity.refresh"
 * ```
 */
export const refreshSpanName: "managed_identity.refresh" = internal.refreshSpanName

/**
 * The span attribute keys.
 *
 * @since 0.1.0
 * @category names
 * @example
 * ```ts
 * import * as Effect from "effect/Effect"
 * import { Telemetry } from "@managed-identity/core"
 *
 * Effect.annotateCurrentSpan(Telemetry.attributes.resource, "https://vault.azure.net")
 * ```
 */
export const attributes: typeof internal.attributes = internal.attributes

/**
 * How a `getToken` call ended: `success`, an error tag, or `interrupted` (the caller gave up) or
 * `defect` (a bug).
 *
 * @since 0.1.0
 * @category models
 */
export type Outcome = "success" | ManagedIdentityError["_tag"] | "interrupted" | "defect"

/**
 * How the cache served a call: `hit` (fresh token), `refresh-ahead` (cached token served while a
 * background refresh starts), `miss` (the caller waited for an acquisition).
 *
 * @since 0.1.0
 * @category models
 */
export type CacheResult = "hit" | "miss" | "refresh-ahead"

/**
 * `managed_identity.requests`: `getToken` calls, tagged `outcome`, `status` (`none` when no HTTP
 * status applies) and `source`.
 *
 * @since 0.1.0
 * @category metrics
 * @example
 * ```ts
 * import * as Effect from "effect/Effect"
 * import * as Metric from "effect/Metric"
 * import { Telemetry } from "@managed-identity/core"
 *
 * const failures = Metric.value(Telemetry.requests.pipe(Metric.tagged("outcome", "Transient")))
 * ```
 */
export const requests: typeof internal.requests = internal.requests

/**
 * `managed_identity.cache_hits`: calls served from the token cache (fresh or refresh-ahead).
 *
 * @since 0.1.0
 * @category metrics
 * @example
 * ```ts
 * import * as Metric from "effect/Metric"
 * import { Telemetry } from "@managed-identity/core"
 *
 * const hits = Metric.value(Telemetry.cacheHits)
 * ```
 */
export const cacheHits: typeof internal.cacheHits = internal.cacheHits

/**
 * `managed_identity.cache_misses`: calls that waited for an acquisition (no token, expired, forced).
 *
 * @since 0.1.0
 * @category metrics
 * @example
 * ```ts
 * import * as Metric from "effect/Metric"
 * import { Telemetry } from "@managed-identity/core"
 *
 * const misses = Metric.value(Telemetry.cacheMisses)
 * ```
 */
export const cacheMisses: typeof internal.cacheMisses = internal.cacheMisses

/**
 * `managed_identity.latency_ms`: the duration of `getToken` calls, in exponential buckets from
 * 1 ms to about 131 s (a cache hit, a warm endpoint, a full IMDS retry sequence of 112 s).
 *
 * @since 0.1.0
 * @category metrics
 * @example
 * ```ts
 * import * as Metric from "effect/Metric"
 * import { Telemetry } from "@managed-identity/core"
 *
 * const histogram = Metric.value(Telemetry.latencyMs)
 * ```
 */
export const latencyMs: typeof internal.latencyMs = internal.latencyMs

/**
 * `managed_identity.retries`: retries made by the retry policy, tagged `source`.
 *
 * @since 0.1.0
 * @category metrics
 * @example
 * ```ts
 * import * as Metric from "effect/Metric"
 * import { Telemetry } from "@managed-identity/core"
 *
 * const imdsRetries = Metric.value(Telemetry.retries.pipe(Metric.tagged("source", "IMDS")))
 * ```
 */
export const retries: typeof internal.retries = internal.retries

/**
 * The outcome of a finished call.
 *
 * @since 0.1.0
 * @category conversions
 * @example
 * ```ts
 * import * as Exit from "effect/Exit"
 * import { Telemetry } from "@managed-identity/core"
 *
 * Telemetry.outcomeOf(Exit.succeed(1)) // "success"
 * ```
 */
export const outcomeOf: (exit: Exit.Exit<unknown, unknown>) => Outcome = internal.outcomeOf

/**
 * Counts one `getToken` call in `managed_identity.requests`.
 *
 * @since 0.1.0
 * @category recorders
 * @example
 * ```ts
 * import { Telemetry } from "@managed-identity/core"
 *
 * Telemetry.recordRequest({ outcome: "Transient", status: 503, source: "IMDS" })
 * ```
 */
export const recordRequest = (options: {
  readonly outcome: Outcome
  readonly status?: number | undefined
  readonly source?: SourceName | undefined
}): Effect.Effect<void> =>
  Metric.increment(
    Metric.taggedWithLabels(requests, [
      MetricLabel.make("outcome", options.outcome),
      MetricLabel.make("status", options.status === undefined ? "none" : String(options.status)),
      MetricLabel.make("source", options.source ?? "unknown")
    ])
  )

/**
 * Records a call's duration in `managed_identity.latency_ms`.
 *
 * @since 0.1.0
 * @category recorders
 * @example
 * ```ts
 * import { Telemetry } from "@managed-identity/core"
 *
 * Telemetry.recordLatency({ latencyMs: 12, source: "IMDS" })
 * ```
 */
export const recordLatency = (options: {
  readonly latencyMs: number
  readonly source?: SourceName | undefined
}): Effect.Effect<void> =>
  Metric.update(Metric.tagged(latencyMs, "source", options.source ?? "unknown"), Math.max(0, options.latencyMs))

/**
 * Counts one retry of a source in `managed_identity.retries`.
 *
 * @since 0.1.0
 * @category recorders
 * @example
 * ```ts
 * import { Telemetry } from "@managed-identity/core"
 *
 * Telemetry.recordRetry("IMDS")
 * ```
 */
export const recordRetry = (source: SourceName): Effect.Effect<void> =>
  Metric.increment(Metric.tagged(retries, "source", source))

/**
 * Counts a cache hit or miss and sets the current span's `managed_identity.cache` attribute.
 *
 * @since 0.1.0
 * @category recorders
 * @example
 * ```ts
 * import { Telemetry } from "@managed-identity/core"
 *
 * Telemetry.recordCacheResult("refresh-ahead")
 * ```
 */
export const recordCacheResult: (result: CacheResult) => Effect.Effect<void> = internal.recordCacheResult

/**
 * Wraps one `getToken` call: a `managed_identity.get_token` span with the source and identity kind,
 * and on exit the outcome, status and attempt count on the span, the request counter and the latency
 * histogram. The token itself is never recorded.
 *
 * @since 0.1.0
 * @category combinators
 * @example
 * ```ts
 * import * as Effect from "effect/Effect"
 * import { Telemetry } from "@managed-identity/core"
 *
 * declare const acquire: Effect.Effect<string>
 * const observed = Telemetry.observeGetToken(acquire, { source: "IMDS", identityKind: "SystemAssigned" })
 * ```
 */
export const observeGetToken = <A, E, R>(
  effect: Effect.Effect<A, E, R>,
  options: { readonly source: SourceName; readonly identityKind: Identity["_tag"] }
): Effect.Effect<A, E, R> => internal.traceGetToken(options, (span) => Effect.withParentSpan(effect, span))
