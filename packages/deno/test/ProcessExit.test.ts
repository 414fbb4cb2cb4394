/**
 * An abandoned call in the real Deno binary: after an abort the process exits at once, and a
 * background refresh against a hung endpoint holds it no longer than one attempt (Deno cannot
 * unref a fetch; the retry waits after it run on unref'd timers). Conformance's ProcessExit
 * scenarios, measured from this process, which holds the emulator.
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import * as Harness from "@managed-identity/conformance/Harness"
import * as ProcessExit from "@managed-identity/conformance/ProcessExit"
import { Emulator } from "@managed-identity/emulator"
import { fileURLToPath } from "node:url"

const root = fileURLToPath(new URL("..", import.meta.url))
const deno = fileURLToPath(new URL("../node_modules/.bin/deno", import.meta.url))

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
    "deno",
    scenario,
    (args) => ({
      command: deno,
      args: [
        "run",
        "--no-check",
        "--no-prompt",
        "--node-modules-dir=manual",
        "--sloppy-imports",
        "--allow-net=127.0.0.1",
        "test/deno/processExit.ts",
        ...args
      ]
    }),
    { cwd: root }
  )
  expect(lifetime.stdout.trim().split("\n").at(-1), lifetime.stderr).toBe(ProcessExit.lastLine[scenario])
  expect(lifetime.code, lifetime.stderr).toBe(0)
  console.info(`deno, ${scenario}: the process exited ${lifetime.exitAfterLineMs} ms after its last line`)
  expect(lifetime.exitAfterLineMs).toBeLessThan(bound.exitWithinMs)
  expect(outcomes).toEqual(ProcessExit.outcomes[scenario])
}

describe("Deno: the process exits", () => {
  it("within a second or so of an abort, having sent one request", () => run("abort"))

  it("after at most one attempt when all that is left is a background refresh against a hung endpoint", () =>
    run("background"))
})
