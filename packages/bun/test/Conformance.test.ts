/**
 * The conformance suite in the real Bun binary: the emulator runs here, `bun test` runs
 * test/bun/conformance.ts, and this file checks that every case passed and that the emulator's own
 * log agrees.
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { Emulator } from "@managed-identity/emulator"
import { fileURLToPath } from "node:url"
import * as Compatibility from "@managed-identity/conformance/Compatibility"
import * as Harness from "@managed-identity/conformance/Harness"
import * as Suite from "@managed-identity/conformance/Suite"

const root = fileURLToPath(new URL("..", import.meta.url))
const bun = fileURLToPath(new URL("../node_modules/.bin/bun", import.meta.url))
const capabilities: Suite.Capabilities = { fileSystem: true, certificatePinning: true, refusedConnections: true }

let emulator: Emulator.Emulator
let outcome: Harness.Outcome
let results: ReadonlyArray<Suite.CaseResult>

beforeAll(async () => {
  emulator = await Emulator.start(Harness.emulatorOptions)
  const setup = await Harness.setupFor(emulator)
  outcome = await Harness.execute(bun, ["test", "./test/bun/conformance.ts"], {
    cwd: root,
    env: { MI_CONFORMANCE_SETUP: JSON.stringify(setup) }
  })
  results = Harness.parseResults(outcome.stdout)
}, 120_000)

afterAll(async () => {
  await emulator?.close()
})

describe("conformance on Bun", () => {
  it.each(Suite.cases(capabilities).map((c) => c.name))("%s", (name) => {
    const result = results.find((r) => r.name === name)
    expect(result, outcome.stderr).toBeDefined()
    expect(result?.error).toBeUndefined()
    expect(result?.ok).toBe(true)
  })

  it("bun test passed, and the emulator's request log agrees with every case's declaration", () => {
    expect(outcome.code, outcome.stdout + outcome.stderr).toBe(0)
    expect(Harness.totals(emulator)).toEqual(Harness.expectedTotals(capabilities))
  })
})

describe("cross-SDK compatibility on Bun", () => {
  it.each(Compatibility.cases(capabilities).map((c) => c.name))("%s", (name) => {
    const result = results.find((r) => r.name === name)
    expect(result, outcome.stderr).toBeDefined()
    expect(result?.error).toBeUndefined()
    expect(result?.ok).toBe(true)
  })
})
