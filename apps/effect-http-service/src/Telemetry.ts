/**
 * OpenTelemetry for the service: @effect/opentelemetry's NodeSdk turns every Effect span into an
 * OpenTelemetry span and every Effect metric into an OpenTelemetry metric, so the library's
 * `managed_identity.get_token` spans and `managed_identity.*` metrics are exported with no extra
 * code. Swap the exporters for OTLP ones (@opentelemetry/exporter-trace-otlp-http, ...) to send them
 * to a collector, Jaeger, or Azure Monitor.
 */
import * as NodeSdk from "@effect/opentelemetry/NodeSdk"
import { ConsoleMetricExporter, type MetricReader, PeriodicExportingMetricReader } from "@opentelemetry/sdk-metrics"
import { ConsoleSpanExporter, SimpleSpanProcessor, type SpanExporter } from "@opentelemetry/sdk-trace-base"

export interface Options {
  readonly spanExporter?: SpanExporter | undefined
  readonly metricReader?: MetricReader | undefined
}

/** Console exporters unless others are given (the smoke test gives in-memory ones). */
export const layer = (options: Options = {}) =>
  NodeSdk.layer(() => ({
    resource: { serviceName: "effect-http-service", serviceVersion: "0.0.0" },
    spanProcessor: new SimpleSpanProcessor(options.spanExporter ?? new ConsoleSpanExporter()),
    metricReader:
      options.metricReader ??
      new PeriodicExportingMetricReader({ exporter: new ConsoleMetricExporter(), exportIntervalMillis: 30_000 })
  }))
