/**
 * An abandoned call in the real Bun binary: after an abort the process exits at once, and a
 * background refresh against a hung endpoint holds it no longer than one attempt (Bun cannot
 * unref a fetch; the retry waits after it run on unref'd timers). Conformance's ProcessExit
 * scenarios, measured from this process, which holds the emulator.
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import * as Harness from "@managed-identity/conformance/Harness"
import * as ProcessExit from "@managed-identity/conformance/ProcessExit"
import { Emulator } from "@managed-identity/emulator"
import { fileURLToPath } from "node:url"

const root = fileURLToPath(new URL("..", import.meta.url))
const bun = fileURLToPath(new URL("../node_modules/.bin/bun", import.meta.url))

let emulator: Emulator.Emulator
beforeAll(async () => {
  // Two-minute tokens: refreshed five minutes before expiry, so already due when they arrive.
  emulator = await Emulator.start({ ...Harness.emulatorOptions, tokenLifetimeSeconds: 120 })
})
afterAll(async () => {
  await emulator?.close()
})

const run = async (scenario: ProcessExit.Scenario) => {
  const { lifetime, bound, outcomes } = await Harness.processExit(
    emulator,
    "bun",
    scenario,
    (args) => ({
      command: bun,
      args: ["run", "test/bun/processExit.ts", ...args]
    }),
    { cwd: root }
  )
  expect(lifetime.stdout.trim().split("\n").at(-1), lifetime.stderr).toBe(ProcessExit.lastLine[scenario])
  expect(lifetime.code, lifetime.stderr).toBe(0)
  console.info(`bun, ${scenario}: the process exited ${lifetime.exitAfterLineMs} ms after its last line`)
  expect(lifetime.exitAfterLineMs).toBeLessThan(bound.exitWithinMs)
  expect(outcomes).toEqual(ProcessExit.outcomes[scenario])
}

describe("Bun: the process exits", () => {
  it("within a second or so of an abort, having sent one request", () => run("abort"))

  it("after at most one attempt when all that is left is a background refresh against a hung endpoint", () =>
    run("background"))
})
