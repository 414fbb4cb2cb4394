/**
 * The process-exit tests every adapter registers (Node's, Deno's and Bun's): run in Node, they
 * start the emulator, run `ProcessExit`'s scenarios in the runtime's real binary, and check that
 * the process exits within its runtime's bound after the scenario's last line, having sent what the
 * scenario sends. The process is killed after 20 s, far below the minutes abandoned work used to
 * last, so a regression fails fast.
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { Emulator } from "@managed-identity/emulator"
import * as Harness from "./Harness.js"
import * as ProcessExit from "./ProcessExit.js"
import { assertLoopbackOnly } from "./Suite.js"

/** How to run one adapter's entry file for a scenario. */
export interface Runner {
  readonly runtime: ProcessExit.Bound["runtime"]
  /** The directory to run in. */
  readonly cwd: string
  /** The command that runs the entry file with these arguments (the scenario and its setup). */
  readonly command: (args: ReadonlyArray<string>) => { readonly command: string; readonly args: ReadonlyArray<string> }
}

/** Registers the process-exit tests for one adapter. */
export const processExitSuite = (runner: Runner): void => {
  let emulator: Emulator.Emulator
  beforeAll(async () => {
    // Two-minute tokens: refreshed five minutes before expiry, so already due when they arrive.
    emulator = await Emulator.start({ ...Harness.emulatorOptions, tokenLifetimeSeconds: 120 })
  })
  afterAll(async () => {
    await emulator?.close()
  })

  const run = async (scenario: ProcessExit.Scenario) => {
    emulator.faults.clear()
    await emulator.faults.settled()
    emulator.requests.clear()
    if (scenario === "abort") emulator.faults.add("imds:blackhole")
    await emulator.faults.settled()
    const bound = ProcessExit.boundFor(runner.runtime, scenario)
    const setup: ProcessExit.Setup = {
      environment: assertLoopbackOnly(emulator.envFor("imds")),
      adminUrl: `${emulator.url}/admin`,
      endpoint: "imds",
      resource: "https://management.azure.com/.default",
      ...(bound.attemptTimeoutMs === undefined ? {} : { attemptTimeoutMs: bound.attemptTimeoutMs })
    }
    const { command, args } = runner.command([scenario, JSON.stringify(setup)])
    const lifetime = await Harness.exitAfter(command, args, {
      cwd: runner.cwd,
      timeoutMs: 20_000,
      line: ProcessExit.lastLine[scenario]
    })
    expect(lifetime.stdout.trim().split("\n").at(-1), lifetime.stderr).toBe(ProcessExit.lastLine[scenario])
    expect(lifetime.code, lifetime.stderr).toBe(0)
    console.info(
      `${runner.runtime}, ${scenario}: the process exited ${lifetime.exitAfterLineMs} ms after its last line`
    )
    expect(lifetime.exitAfterLineMs).toBeLessThan(bound.exitWithinMs)
    expect(emulator.requests.all("imds").map((r) => r.outcome)).toEqual(ProcessExit.outcomes[scenario])
  }

  describe(`${runner.runtime}: the process exits`, () => {
    it("within a second or so of an abort, having sent one request", () => run("abort"))

    it(
      runner.runtime === "node"
        ? "promptly when all that is left is a background refresh against a hung endpoint"
        : "after at most one attempt when all that is left is a background refresh against a hung endpoint",
      () => run("background")
    )
  })
}
