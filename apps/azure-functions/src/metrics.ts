// Mitigation 5 of the write-up: "build dedicated monitoring metrics for authentication errors".
// The library already counts every acquisition (`managed_identity.requests` by outcome and status,
// `managed_identity.retries`, cache hits and misses, latency); this app adds a counter of the
// authentication errors its callers would have seen, by error class and reason. Effect metrics
// live in one registry per process, so `snapshot` sees both; export them with
// @effect/opentelemetry to Application Insights, or serve them as the `metrics` function does.
import type { HttpResponseInit } from "@azure/functions"
import * as Effect from "effect/Effect"
import * as Metric from "effect/Metric"
import * as MetricState from "effect/MetricState"

/** `function_app.auth_errors`: authentication failures while reading a secret, tagged `error` and `reason`. */
export const authErrors = Metric.counter("function_app.auth_errors", {
  description: "Authentication failures while reading Key Vault secrets",
  incremental: true
})

/** Counts one failure: `error` is the error class, `reason` the core error's reason when there is one. */
export const recordAuthError = (error: unknown): void => {
  const name = error instanceof Error ? error.name : "unknown"
  const cause = error instanceof Error ? (error.cause as { readonly reason?: unknown } | undefined) : undefined
  const reason = typeof cause?.reason === "string" ? cause.reason : "none"
  Effect.runSync(Metric.increment(Metric.tagged(Metric.tagged(authErrors, "error", name), "reason", reason)))
}

export interface MetricValue {
  readonly name: string
  readonly tags: Readonly<Record<string, string>>
  readonly count: number
  /** Histograms only: the sum of the recorded values. */
  readonly sum?: number
}

/** The `managed_identity.*` and `function_app.*` metrics of this process, as plain data. */
export const snapshot = (): ReadonlyArray<MetricValue> =>
  Effect.runSync(Metric.snapshot).flatMap((pair): Array<MetricValue> => {
    const name = pair.metricKey.name
    if (!name.startsWith("managed_identity.") && !name.startsWith("function_app.")) return []
    const tags = Object.fromEntries(pair.metricKey.tags.map((label) => [label.key, label.value]))
    const state = pair.metricState
    if (MetricState.isCounterState(state)) return [{ name, tags, count: Number(state.count) }]
    if (MetricState.isHistogramState(state)) return [{ name, tags, count: state.count, sum: state.sum }]
    return []
  })

/** The total of one counter over the tags given (all of them when none are). */
export const total = (
  values: ReadonlyArray<MetricValue>,
  name: string,
  tags: Readonly<Record<string, string>> = {}
): number =>
  values
    .filter((value) => value.name === name && Object.entries(tags).every(([key, v]) => value.tags[key] === v))
    .reduce((sum, value) => sum + value.count, 0)

/** The `metrics` HTTP function's handler: the snapshot as JSON. */
export const metricsHandler = async (): Promise<HttpResponseInit> => ({ jsonBody: { metrics: snapshot() } })
