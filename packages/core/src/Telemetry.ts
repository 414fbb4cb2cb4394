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
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as FiberRef from "effect/FiberRef"
import * as Exit from "effect/Exit"
import * as Metric from "effect/Metric"
import * as MetricBoundaries from "effect/MetricBoundaries"
import * as MetricLabel from "effect/MetricLabel"
import type * as Tracer from "effect/Tracer"
import type { Identity } from "./Identity.js"
import { isManagedIdentityError, type ManagedIdentityError } from "./ManagedIdentityError.js"
import type { SourceName } from "./SourceName.js"

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
export const spanName = "managed_identity.get_token"

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
export const refreshSpanName = "managed_identity.refresh"

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
export const attributes = {
  source: "managed_identity.source",
  identityKind: "managed_identity.identity_kind",
  resource: "managed_identity.resource",
  attempt: "managed_identity.attempt",
  cache: "managed_identity.cache",
  outcome: "managed_identity.outcome",
  status: "managed_identity.status"
} as const

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
export const requests = Metric.counter("managed_identity.requests", {
  description: "Managed-identity getToken calls by outcome and HTTP status",
  incremental: true
})

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
export const cacheHits = Metric.counter("managed_identity.cache_hits", {
  description: "Token requests served from the cache",
  incremental: true
})

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
export const cacheMisses = Metric.counter("managed_identity.cache_misses", {
  description: "Token requests that waited for an acquisition",
  incremental: true
})

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
export const latencyMs = Metric.histogram(
  "managed_identity.latency_ms",
  MetricBoundaries.exponential({ start: 1, factor: 2, count: 19 }),
  "Duration of managed-identity getToken calls in milliseconds"
)

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
export const retries = Metric.counter("managed_identity.retries", {
  description: "Retries of managed-identity token requests",
  incremental: true
})

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
export const outcomeOf = (exit: Exit.Exit<unknown, unknown>): Outcome => {
  if (Exit.isSuccess(exit)) return "success"
  const failure = Cause.failureOption(exit.cause)
  if (failure._tag === "Some") return isManagedIdentityError(failure.value) ? failure.value._tag : "defect"
  return Cause.isInterruptedOnly(exit.cause) ? "interrupted" : "defect"
}

const statusOf = (exit: Exit.Exit<unknown, unknown>): number | undefined => {
  if (Exit.isSuccess(exit)) return undefined
  const failure = Cause.failureOption(exit.cause)
  if (failure._tag === "None" || !isManagedIdentityError(failure.value) || failure.value._tag === "InvalidArgument") {
    return undefined
  }
  return failure.value.status
}

const attemptsOf = (exit: Exit.Exit<unknown, unknown>): number | undefined => {
  if (Exit.isSuccess(exit)) return undefined
  const failure = Cause.failureOption(exit.cause)
  if (failure._tag === "None" || !isManagedIdentityError(failure.value) || failure.value._tag === "InvalidArgument") {
    return undefined
  }
  return failure.value.attempts
}

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

const hit = Effect.zipRight(Metric.increment(cacheHits), Effect.annotateCurrentSpan(attributes.cache, "hit"))
const refreshAhead = Effect.zipRight(
  Metric.increment(cacheHits),
  Effect.annotateCurrentSpan(attributes.cache, "refresh-ahead")
)
const miss = Effect.zipRight(Metric.increment(cacheMisses), Effect.annotateCurrentSpan(attributes.cache, "miss"))

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
export const recordCacheResult = (result: CacheResult): Effect.Effect<void> =>
  result === "hit" ? hit : result === "miss" ? miss : refreshAhead

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
): Effect.Effect<A, E, R> => traceGetToken(options, (span) => Effect.withParentSpan(effect, span))

/**
 * `observeGetToken` for a call that is handed its span: the span is not made the current one, so a
 * call answered synchronously (a cache hit) annotates `span` directly and skips installing it as the
 * parent of spans it never creates; a call that does more work wraps it in `Effect.withParentSpan`.
 * `now` is the clock's time when the call started.
 *
 * @since 0.1.0
 * @category combinators
 * @example
 * ```ts
 * import * as Effect from "effect/Effect"
 * import { Telemetry } from "@managed-identity/core"
 *
 * declare const acquire: Effect.Effect<string>
 * const observed = Telemetry.traceGetToken({ source: "IMDS", identityKind: "SystemAssigned" }, (span) =>
 *   Effect.withParentSpan(acquire, span)
 * )
 * ```
 */
export const traceGetToken = <A, E, R>(
  options: { readonly source: SourceName; readonly identityKind: Identity["_tag"] },
  body: (span: Tracer.Span, now: number) => Effect.Effect<A, E, R>
): Effect.Effect<A, E, R> =>
  Effect.useSpan(spanName, spanOptionsOf(options), (span) =>
    Effect.clockWith((clock) => {
      const start = clock.unsafeCurrentTimeMillis()
      return Effect.onExit(body(span, start), (exit) =>
        FiberRef.getWith(FiberRef.currentMetricLabels, (tags) =>
          Effect.sync(() => {
            const outcome = outcomeOf(exit)
            const status = statusOf(exit)
            const attempts = attemptsOf(exit)
            span.attribute(attributes.outcome, outcome)
            if (status !== undefined) span.attribute(attributes.status, status)
            if (attempts !== undefined) span.attribute(attributes.attempt, attempts)
            const source = options.source
            requests.unsafeUpdate(1, withTags(labelsFor(outcome, status, source), tags))
            latencyMs.unsafeUpdate(
              Math.max(0, clock.unsafeCurrentTimeMillis() - start),
              withTags(sourceLabelFor(source), tags)
            )
          })
        )
      )
    })
  )

/**
 * Records a cache hit answered without running the cache's own effect: the
 * `managed_identity.cache_hits` counter (with the fiber's metric labels) and `cache: hit` on `span`.
 *
 * @since 0.1.0
 * @category recorders
 * @example
 * ```ts
 * import * as Effect from "effect/Effect"
 * import { Telemetry } from "@managed-identity/core"
 *
 * const hit = Effect.useSpan("example", (span) => Telemetry.recordCacheHitOn(span))
 * ```
 */
export const recordCacheHitOn = (span: Tracer.Span): Effect.Effect<void> =>
  FiberRef.getWith(FiberRef.currentMetricLabels, (tags) =>
    Effect.sync(() => {
      cacheHits.unsafeUpdate(1, tags)
      span.attribute(attributes.cache, "hit")
    })
  )

// Built once per caller's options object (`ManagedIdentity` passes the same one on every call),
// and the label sets once per outcome × status × source: not on every call.
const spanOptionsByCaller = new WeakMap<object, Tracer.SpanOptions>()
const spanOptionsOf = (options: {
  readonly source: SourceName
  readonly identityKind: Identity["_tag"]
}): Tracer.SpanOptions => {
  let spanOptions = spanOptionsByCaller.get(options)
  if (spanOptions === undefined) {
    spanOptions = {
      attributes: { [attributes.source]: options.source, [attributes.identityKind]: options.identityKind },
      // A stack trace per call costs more than the rest of a cache hit; the span's name and
      // attributes say where it comes from.
      captureStackTrace: false
    }
    spanOptionsByCaller.set(options, spanOptions)
  }
  return spanOptions
}

const labelSets = new Map<string, ReadonlyArray<MetricLabel.MetricLabel>>()
const labelsFor = (
  outcome: Outcome,
  status: number | undefined,
  source: SourceName
): ReadonlyArray<MetricLabel.MetricLabel> => {
  const statusLabel = status === undefined ? "none" : String(status)
  const key = `${outcome} ${statusLabel} ${source}`
  let labels = labelSets.get(key)
  if (labels === undefined) {
    labels = [
      MetricLabel.make("outcome", outcome),
      MetricLabel.make("status", statusLabel),
      MetricLabel.make("source", source)
    ]
    if (labelSets.size < 1_000) labelSets.set(key, labels)
  }
  return labels
}

// A metric finds its registry entry by the identity of the label array it is given (a cache keyed
// by the array): the same labels must come as the same array, or every update builds a new key.
const combined = new WeakMap<
  ReadonlyArray<MetricLabel.MetricLabel>,
  WeakMap<ReadonlyArray<MetricLabel.MetricLabel>, ReadonlyArray<MetricLabel.MetricLabel>>
>()
const withTags = (
  labels: ReadonlyArray<MetricLabel.MetricLabel>,
  tags: ReadonlyArray<MetricLabel.MetricLabel>
): ReadonlyArray<MetricLabel.MetricLabel> => {
  if (tags.length === 0) return labels
  let byLabels = combined.get(tags)
  if (byLabels === undefined) {
    byLabels = new WeakMap()
    combined.set(tags, byLabels)
  }
  let both = byLabels.get(labels)
  if (both === undefined) {
    both = [...labels, ...tags]
    byLabels.set(labels, both)
  }
  return both
}

const sourceLabels = new Map<string, ReadonlyArray<MetricLabel.MetricLabel>>()
const sourceLabelFor = (source: SourceName): ReadonlyArray<MetricLabel.MetricLabel> => {
  let labels = sourceLabels.get(source)
  if (labels === undefined) {
    labels = [MetricLabel.make("source", source)]
    sourceLabels.set(source, labels)
  }
  return labels
}
