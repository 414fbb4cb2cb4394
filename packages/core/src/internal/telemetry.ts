/**
 * The machinery behind `Telemetry.observeGetToken` and `ManagedIdentity`'s spans and metrics,
 * tuned for the cache-hit path: span options, label sets and label arrays are built once and
 * reused (a metric finds its registry entry by the label array's identity).
 *
 * @internal
 */
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as FiberRef from "effect/FiberRef"
import * as Metric from "effect/Metric"
import * as MetricBoundaries from "effect/MetricBoundaries"
import * as MetricLabel from "effect/MetricLabel"
import type * as Tracer from "effect/Tracer"
import type { Identity } from "../Identity.js"
import { isManagedIdentityError } from "../ManagedIdentityError.js"
import type { SourceName } from "../SourceName.js"
import type { CacheResult, Outcome } from "../Telemetry.js"

export const spanName = "managed_identity.get_token"

export const refreshSpanName = "managed_identity.refresh"

export const attributes = {
  source: "managed_identity.source",
  identityKind: "managed_identity.identity_kind",
  resource: "managed_identity.resource",
  attempt: "managed_identity.attempt",
  cache: "managed_identity.cache",
  outcome: "managed_identity.outcome",
  status: "managed_identity.status"
} as const

export const requests = Metric.counter("managed_identity.requests", {
  description: "Managed-identity getToken calls by outcome and HTTP status",
  incremental: true
})

export const cacheHits = Metric.counter("managed_identity.cache_hits", {
  description: "Token requests served from the cache",
  incremental: true
})

export const cacheMisses = Metric.counter("managed_identity.cache_misses", {
  description: "Token requests that waited for an acquisition",
  incremental: true
})

export const latencyMs = Metric.histogram(
  "managed_identity.latency_ms",
  MetricBoundaries.exponential({ start: 1, factor: 2, count: 19 }),
  "Duration of managed-identity getToken calls in milliseconds"
)

export const retries = Metric.counter("managed_identity.retries", {
  description: "Retries of managed-identity token requests",
  incremental: true
})

export const outcomeOf = (exit: Exit.Exit<unknown, unknown>): Outcome => {
  if (Exit.isSuccess(exit)) return "success"
  const failure = Cause.failureOption(exit.cause)
  if (failure._tag === "Some") return isManagedIdentityError(failure.value) ? failure.value._tag : "defect"
  return Cause.isInterruptedOnly(exit.cause) ? "interrupted" : "defect"
}

const hit = Effect.zipRight(Metric.increment(cacheHits), Effect.annotateCurrentSpan(attributes.cache, "hit"))
const refreshAhead = Effect.zipRight(
  Metric.increment(cacheHits),
  Effect.annotateCurrentSpan(attributes.cache, "refresh-ahead")
)
const miss = Effect.zipRight(Metric.increment(cacheMisses), Effect.annotateCurrentSpan(attributes.cache, "miss"))

export const recordCacheResult = (result: CacheResult): Effect.Effect<void> =>
  result === "hit" ? hit : result === "miss" ? miss : refreshAhead

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
 * `Telemetry.observeGetToken` for a call that is handed its span: the span is not made the current one, so a
 * call answered synchronously (a cache hit) annotates `span` directly and skips installing it as the
 * parent of spans it never creates; a call that does more work wraps it in `Effect.withParentSpan`.
 * `now` is the clock's time when the call started.
 *
 * @internal
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
 * @internal
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
