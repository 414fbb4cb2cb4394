/**
 * The conformance and compatibility suites in workerd (through miniflare) and in `edge-runtime`: the edge adapter and
 * the suite are bundled as a deployment would be, run against the emulator in this process over
 * loopback, and every case must pass with the emulator's own log agreeing.
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { Emulator } from "@managed-identity/emulator"
import { EdgeRuntime } from "edge-runtime"
import { Miniflare } from "miniflare"
import * as Compatibility from "@managed-identity/conformance/Compatibility"
import * as Harness from "@managed-identity/conformance/Harness"
import * as Suite from "@managed-identity/conformance/Suite"
import { capabilities as capabilitiesOf, type Reports } from "./edge/target.js"
import { bundle } from "./support.js"

const expectConformance = (
  capabilities: Suite.Capabilities,
  emulator: () => Emulator.Emulator,
  reports: () => Reports | undefined,
  failure: () => string
) => {
  it.each(Suite.cases(capabilities).map((c) => c.name))("%s", (name) => {
    const result = reports()?.suite.results.find((r) => r.name === name)
    expect(result, failure()).toBeDefined()
    expect(result?.error).toBeUndefined()
    expect(result?.ok).toBe(true)
  })

  it("the emulator's request log agrees with every case's declaration (both suites)", () => {
    expect(Harness.totals(emulator())).toEqual(Harness.expectedTotals(capabilities))
  })

  describe("cross-SDK compatibility", () => {
    it.each(Compatibility.cases(capabilities).map((c) => c.name))("%s", (name) => {
      const result = reports()?.compatibility.results.find((r) => r.name === name)
      expect(result, failure()).toBeDefined()
      expect(result?.error).toBeUndefined()
      expect(result?.ok).toBe(true)
    })
  })
}

describe("conformance on workerd (miniflare)", () => {
  const RUNTIME = "workerd"
  let emulator: Emulator.Emulator
  let reports: Reports | undefined
  let failure = ""

  beforeAll(async () => {
    emulator = await Emulator.start(Harness.emulatorOptions)
    const setup = await Harness.setupFor(emulator)
    const miniflare = new Miniflare({
      modules: true,
      script: await bundle("./edge/worker.ts", { format: "esm" }),
      compatibilityDate: "2025-07-01",
      bindings: { MI_CONFORMANCE_SETUP: JSON.stringify(setup) }
    })
    try {
      const response = await miniflare.dispatchFetch("http://localhost/")
      const text = await response.text()
      if (response.ok) reports = JSON.parse(text) as Reports
      else failure = `the Worker answered ${response.status}: ${text}`
    } finally {
      await miniflare.dispose()
    }
  }, 120_000)

  afterAll(async () => {
    await emulator?.close()
  })

  expectConformance(
    capabilitiesOf[RUNTIME],
    () => emulator,
    () => reports,
    () => failure
  )
})

describe("conformance on edge-runtime", () => {
  const RUNTIME = "edge-runtime"
  let emulator: Emulator.Emulator
  let reports: Reports | undefined
  let failure = ""

  beforeAll(async () => {
    emulator = await Emulator.start(Harness.emulatorOptions)
    const setup = await Harness.setupFor(emulator)
    const runtime = new EdgeRuntime({ initialCode: await bundle("./edge/edge-runtime.ts", { format: "iife" }) })
    const response = await runtime.dispatchFetch("http://localhost/", { method: "POST", body: JSON.stringify(setup) })
    const text = await response.text()
    if (response.ok) reports = JSON.parse(text) as Reports
    else failure = `edge-runtime answered ${response.status}: ${text}`
    await response.waitUntil()
  }, 120_000)

  afterAll(async () => {
    await emulator?.close()
  })

  expectConformance(
    capabilitiesOf[RUNTIME],
    () => emulator,
    () => reports,
    () => failure
  )
})
