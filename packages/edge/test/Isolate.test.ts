/**
 * Cache per isolate, in workerd: a module-scope credential built from real Worker bindings serves
 * every request of the isolate from one token request.
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { Emulator } from "@managed-identity/emulator"
import { Miniflare } from "miniflare"
import * as Harness from "@managed-identity/conformance/Harness"
import { assertLoopbackOnly } from "@managed-identity/conformance/Suite"
import { bundle } from "./support.js"

let emulator: Emulator.Emulator
let miniflare: Miniflare

beforeAll(async () => {
  emulator = await Emulator.start(Harness.emulatorOptions)
  miniflare = new Miniflare({
    modules: true,
    script: await bundle("./edge/isolate.ts", { format: "esm" }),
    compatibilityDate: "2025-07-01",
    // The Worker's environment is its bindings: here, App Service's variables pointing at the emulator.
    bindings: { ...assertLoopbackOnly(emulator.envFor("appservice")), UNRELATED_FLAG: "on" }
  })
}, 60_000)

afterAll(async () => {
  await miniflare?.dispose()
  await emulator?.close()
})

describe("the edge credential in a Worker isolate", () => {
  it("builds once from the bindings and serves later requests from the isolate's cache", async () => {
    const responses = []
    for (let i = 0; i < 3; i++) {
      responses.push((await (await miniflare.dispatchFetch("http://localhost/")).json()) as Record<string, unknown>)
    }
    expect(responses.map((r) => r.built)).toEqual([1, 1, 1])
    expect(new Set(responses.map((r) => r.digest)).size).toBe(1)
    expect(emulator.requests.count("appservice")).toBe(1)
    // The request carried App Service's secret header, read from the bindings.
    expect(emulator.requests.last("appservice")?.headers["x-identity-header"]).toBe("[REDACTED]")
    expect(emulator.requests.last("appservice")?.status).toBe(200)
  })
})
