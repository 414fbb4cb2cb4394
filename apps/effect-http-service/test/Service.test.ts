/**
 * The smoke test: the service on a free port of 127.0.0.1 over the emulator's IMDS, with in-memory
 * OpenTelemetry exporters, called over real HTTP.
 */
import * as HttpServer from "@effect/platform/HttpServer"
import { ManagedIdentity } from "@managed-identity/core"
import { Emulator } from "@managed-identity/emulator"
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  PeriodicExportingMetricReader
} from "@opentelemetry/sdk-metrics"
import { InMemorySpanExporter, type ReadableSpan } from "@opentelemetry/sdk-trace-base"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest"
import * as Service from "../src/Service.js"
import * as Telemetry from "../src/Telemetry.js"

let emulator: Emulator.Emulator
beforeAll(async () => {
  emulator = await Emulator.start()
})
afterAll(async () => {
  await emulator?.close()
})
beforeEach(() => {
  emulator.requests.clear()
  emulator.faults.clear()
})

/** The emulator's IMDS variables, checked to be loopback before anything is built (fail closed). */
const imds = () => {
  const environment = emulator.envFor("imds")
  if (!ManagedIdentity.allowLoopbackOnly(new URL(environment.AZURE_POD_IDENTITY_AUTHORITY_HOST!))) {
    throw new Error("the emulator is not on loopback")
  }
  return environment
}

/** Starts the service on port 0; returns its URL, the exporters, and how to stop it. */
const start = async (managedIdentity: Service.Options["managedIdentity"]) => {
  const spans = new InMemorySpanExporter()
  const metrics = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE)
  const reader = new PeriodicExportingMetricReader({ exporter: metrics, exportIntervalMillis: 3_600_000 })
  const runtime = ManagedRuntime.make(
    Service.layer({ port: 0, managedIdentity }).pipe(
      Layer.provide(Telemetry.layer({ spanExporter: spans, metricReader: reader }))
    )
  )
  const address = await runtime.runPromise(Effect.map(HttpServer.HttpServer, (server) => server.address))
  if (address._tag !== "TcpAddress") throw new Error("expected a TCP address")
  return {
    url: `http://127.0.0.1:${address.port}`,
    spans,
    /** Exports the metrics collected so far and returns them. */
    metrics: async () => {
      await reader.forceFlush()
      return metrics.getMetrics().flatMap((resource) => resource.scopeMetrics.flatMap((scope) => scope.metrics))
    },
    stop: () => runtime.dispose()
  }
}

const attributeValues = (spans: ReadonlyArray<ReadableSpan>) =>
  spans.flatMap((span) => [
    ...Object.values(span.attributes),
    ...span.events.flatMap((event) => Object.values(event.attributes ?? {}))
  ])

describe("effect-http-service", () => {
  it("answers /whoami with a token, and exports managed_identity.get_token spans and metrics", async () => {
    const service = await start({ environment: imds() })
    try {
      const first = await fetch(`${service.url}/whoami`)
      const body = (await first.json()) as Record<string, any>
      expect(first.status).toBe(200)
      expect(body).toMatchObject({
        source: "IMDS",
        identity: { objectId: emulator.identities.systemAssigned()?.objectId }
      })
      expect(JSON.stringify(body)).not.toMatch(/eyJ[\w-]+\.[\w-]+/)
      expect((await fetch(`${service.url}/whoami`)).status).toBe(200)
      expect(emulator.requests.count("imds")).toBe(1)

      const spans = service.spans.getFinishedSpans()
      const getToken = spans.filter((span) => span.name === "managed_identity.get_token")
      expect(getToken).toHaveLength(2)
      expect(getToken[0]?.attributes).toMatchObject({
        "managed_identity.source": "IMDS",
        "managed_identity.identity_kind": "SystemAssigned",
        "managed_identity.resource": expect.stringMatching(/^https:\/\/management\.azure\.com\/?$/),
        "managed_identity.cache": "miss",
        "managed_identity.outcome": "success"
      })
      expect(getToken[1]?.attributes).toMatchObject({
        "managed_identity.cache": "hit",
        "managed_identity.outcome": "success"
      })
      // Each get_token span is a child of the request's server span.
      for (const span of getToken) {
        const parent = spans.find((other) => other.spanContext().spanId === span.parentSpanContext?.spanId)
        expect(parent?.name).toMatch(/^http\.server GET/)
        expect(parent?.spanContext().traceId).toBe(span.spanContext().traceId)
      }
      // No token, and no secret header, in any attribute or event of any span.
      for (const value of attributeValues(spans)) expect(String(value)).not.toMatch(/eyJ[\w-]+\.[\w-]+/)

      const exported = await service.metrics()
      const names = exported.map((metric) => metric.descriptor.name)
      expect(names).toEqual(
        expect.arrayContaining([
          "managed_identity.requests",
          "managed_identity.cache_hits",
          "managed_identity.latency_ms"
        ])
      )
      const requests = exported.find((metric) => metric.descriptor.name === "managed_identity.requests")
      const success = requests?.dataPoints.find((point) => point.attributes.outcome === "success")
      expect(Number(success?.value)).toBeGreaterThanOrEqual(2)
    } finally {
      await service.stop()
    }
  })

  it("answers 503 with an explanation when the identity is not on this host, and records the outcome", async () => {
    const service = await start({
      environment: imds(),
      identity: { clientId: "00000000-0000-0000-0000-00000000dead" }
    })
    try {
      const response = await fetch(`${service.url}/whoami`)
      const body = (await response.json()) as Record<string, any>
      expect(response.status).toBe(503)
      expect(body).toMatchObject({ error: "Unavailable", summary: expect.stringMatching(/not assigned/) })
      const span = service.spans.getFinishedSpans().find((s) => s.name === "managed_identity.get_token")
      expect(span?.attributes).toMatchObject({
        "managed_identity.identity_kind": "ClientId",
        "managed_identity.outcome": "Unavailable",
        "managed_identity.status": 400
      })
    } finally {
      await service.stop()
    }
  })

  it("does not start when the environment points anywhere but 127.0.0.1 (fail closed)", async () => {
    await expect(
      start({ environment: { AZURE_POD_IDENTITY_AUTHORITY_HOST: "http://169.254.169.254" } })
    ).rejects.toThrow(/endpoint guard/)
    await expect(start({ environment: {} })).rejects.toThrow(/endpoint guard/)
    expect(emulator.requests.count()).toBe(0)
  })
})
