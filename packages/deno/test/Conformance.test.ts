/**
 * The conformance suite in the real Deno binary: the emulator runs here, `deno test` runs
 * test/deno/conformance.ts with only the permissions the adapter needs, and this file checks that
 * every case passed and that the emulator's own log agrees.
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { Emulator } from "@managed-identity/emulator"
import { fileURLToPath } from "node:url"
import * as Compatibility from "@managed-identity/conformance/Compatibility"
import * as Harness from "@managed-identity/conformance/Harness"
import * as Suite from "@managed-identity/conformance/Suite"

const root = fileURLToPath(new URL("..", import.meta.url))
const deno = fileURLToPath(new URL("../node_modules/.bin/deno", import.meta.url))
const capabilities: Suite.Capabilities = { fileSystem: true, certificatePinning: true, refusedConnections: true }

let emulator: Emulator.Emulator
let outcome: Harness.Outcome
let results: ReadonlyArray<Suite.CaseResult>

beforeAll(async () => {
  emulator = await Emulator.start(Harness.emulatorOptions)
  const setup = await Harness.setupFor(emulator)
  outcome = await Harness.execute(
    deno,
    [
      "test",
      "--no-check",
      "--no-prompt",
      "--node-modules-dir=manual",
      "--sloppy-imports",
      "--allow-env=MI_CONFORMANCE_SETUP",
      "--allow-net=127.0.0.1",
      `--allow-read=${Harness.readablePaths(setup).join(",")}`,
      "test/deno/conformance.ts"
    ],
    { cwd: root, env: { MI_CONFORMANCE_SETUP: JSON.stringify(setup) } }
  )
  results = Harness.parseResults(outcome.stdout)
}, 120_000)

afterAll(async () => {
  await emulator?.close()
})

describe("conformance on Deno", () => {
  it.each(Suite.cases(capabilities).map((c) => c.name))("%s", (name) => {
    const result = results.find((r) => r.name === name)
    expect(result, outcome.stderr).toBeDefined()
    expect(result?.error).toBeUndefined()
    expect(result?.ok).toBe(true)
  })

  it("deno test passed, and the emulator's request log agrees with every case's declaration", () => {
    expect(outcome.code, outcome.stdout + outcome.stderr).toBe(0)
    expect(Harness.totals(emulator)).toEqual(Harness.expectedTotals(capabilities))
  })
})

describe("cross-SDK compatibility on Deno", () => {
  it.each(Compatibility.cases(capabilities).map((c) => c.name))("%s", (name) => {
    const result = results.find((r) => r.name === name)
    expect(result, outcome.stderr).toBeDefined()
    expect(result?.error).toBeUndefined()
    expect(result?.ok).toBe(true)
  })
})
