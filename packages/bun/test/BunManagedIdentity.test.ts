/**
 * The Bun layer in the real Bun binary: plain-HTTP endpoints never go through `HTTP_PROXY`.
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { Emulator } from "@managed-identity/emulator"
import { fileURLToPath } from "node:url"
import * as Harness from "@managed-identity/conformance/Harness"

const root = fileURLToPath(new URL("..", import.meta.url))
const bun = fileURLToPath(new URL("../node_modules/.bin/bun", import.meta.url))

let emulator: Emulator.Emulator
beforeAll(async () => {
  emulator = await Emulator.start(Harness.emulatorOptions)
})
afterAll(async () => {
  await emulator?.close()
})

describe("BunManagedIdentity: proxies", () => {
  it("reaches plain-HTTP endpoints directly even when HTTP_PROXY points at a dead proxy", async () => {
    const setup = await Harness.setupFor(emulator)
    const proxy = `http://127.0.0.1:${await Harness.closedPort()}`
    const outcome = await Harness.execute(bun, ["run", "test/bun/adapter.ts", JSON.stringify(setup)], {
      cwd: root,
      env: { HTTP_PROXY: proxy, http_proxy: proxy, ALL_PROXY: proxy }
    })
    expect(outcome.code, outcome.stderr).toBe(0)
    const report = JSON.parse(outcome.stdout.trim().split("\n").at(-1) ?? "null")
    expect(report).toEqual({ imds: "no error", workloadidentity: "no error", arc: "no error" })
    // IMDS 1, workload identity 1, Azure Arc 2 (challenge, then the key).
    expect(emulator.requests.count()).toBe(4)
  })
})
