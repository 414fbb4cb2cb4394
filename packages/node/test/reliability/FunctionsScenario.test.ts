/**
 * The Azure Functions write-up (seed 000) against the real emulator: 16% of identity requests fail
 * while 20 concurrent invocations make 10,000 `getToken` calls over 100 resources through the App
 * Service source and the Node adapter's Promise API. No failure may reach a caller, and the endpoint
 * sees at most 1.3 requests per token.
 *
 * The emulator fails requests with its probability faults: connection resets (8%) and 503s (the
 * rest of the 16%). Refused connections and "socket access forbidden" (EACCES) cannot be produced per
 * request by a loopback server; core's `test/reliability/FunctionsScenario.test.ts` covers the full
 * mix with a fake transport. The emulator's random source is seeded, so the run is repeatable.
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import type { Emulator } from "@managed-identity/emulator"
import { credentialFor, startEmulator, verifiedClaims } from "../support/emulator.js"

/** mulberry32: seeded, so the emulator fails the same requests on every run. */
const seeded = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}

const RESOURCES = Array.from({ length: 100 }, (_, i) => `api://functions-resource-${i}/.default`)
const INVOCATIONS = 20
const CALLS = 10_000

let emulator: Emulator.Emulator
beforeAll(async () => {
  emulator = await startEmulator({ random: seeded(16) })
})
afterAll(async () => {
  await emulator.close()
})

describe("the Azure Functions write-up against the emulator", () => {
  it("16% of requests fail (resets, 503s): 10,000 calls, 20 invocations, 100 resources, no failure reaches a caller", async () => {
    // The first fault fires with p = 0.08; the second with 0.087 of the rest: 0.08 + 0.92 × 0.087 ≈ 0.16.
    emulator.faults.add("appservice:reset@0.08")
    emulator.faults.add("appservice:503@0.087")
    const credential = credentialFor(emulator, "appservice")
    const failures: Array<string> = []
    const tokens = new Map<string, Set<string>>()

    const invocation = async (n: number) => {
      for (let i = 0; i < CALLS / INVOCATIONS; i++) {
        const scope = RESOURCES[(n * 37 + i * 13) % RESOURCES.length]!
        try {
          const token = await credential.getToken(scope)
          const seen = tokens.get(scope) ?? new Set<string>()
          seen.add(token.token)
          tokens.set(scope, seen)
        } catch (error) {
          failures.push(String(error))
        }
      }
    }
    const started = Date.now()
    await Promise.all(Array.from({ length: INVOCATIONS }, (_, n) => invocation(n)))
    const elapsed = Date.now() - started
    await credential.close()

    const counters = emulator.requests.counters().appservice!
    const issued = counters.byStatus["200"] ?? 0
    expect(failures).toEqual([])
    expect(counters.faulted).toBeGreaterThan(0) // the faults did fire
    // Single flight and cache: one token per resource, the same one for every caller.
    expect(tokens.size).toBe(RESOURCES.length)
    for (const seen of tokens.values()) expect(seen.size).toBe(1)
    expect(issued).toBe(RESOURCES.length)
    expect(counters.total / issued).toBeLessThanOrEqual(1.3)
    const [first] = tokens.get(RESOURCES[0]!)!
    expect(verifiedClaims(emulator, first!).aud).toBe("api://functions-resource-0")
    expect(elapsed).toBeLessThan(20_000)
  })
})
