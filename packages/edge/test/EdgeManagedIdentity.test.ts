/**
 * The Effect API on the edge adapter, over Node's fetch against the emulator (the real runtimes
 * run the same code in test/Conformance.test.ts).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "@effect/vitest"
import { ManagedIdentity } from "@managed-identity/core"
import { Emulator } from "@managed-identity/emulator"
import * as Effect from "effect/Effect"
import * as Harness from "@managed-identity/conformance/Harness"
import { assertLoopbackOnly } from "@managed-identity/conformance/Suite"
import { EdgeManagedIdentity } from "../src/effect.js"

let emulator: Emulator.Emulator
beforeAll(async () => {
  emulator = await Emulator.start(Harness.emulatorOptions)
})
afterAll(async () => {
  await emulator?.close()
})
beforeEach(() => {
  emulator.requests.clear()
})

const layerFor = (source: Emulator.Source, extra: Record<string, unknown> = {}) =>
  EdgeManagedIdentity.layer({
    env: { ...assertLoopbackOnly(emulator.envFor(source)), ...extra },
    endpointGuard: ManagedIdentity.allowLoopbackOnly,
    retry: false
  })

describe("EdgeManagedIdentity", () => {
  it("gets a token from the bindings given, ignoring bindings that are not text", async () => {
    const token = await Effect.runPromise(
      ManagedIdentity.getToken("https://vault.azure.net").pipe(
        Effect.provide(layerFor("imds", { CACHE: { get: () => null }, COUNT: 3 }))
      )
    )
    expect(token.resource).toBe("https://vault.azure.net")
    expect(emulator.requests.count("imds")).toBe(1)
  })

  it.each([
    ["arc", "AzureArc", "the agent's key files"],
    ["workloadidentity", "WorkloadIdentity", "the federated token"]
  ] as const)("refuses %s before any request: it reads a file", async (source, name, what) => {
    const error = await Effect.runPromise(
      Effect.flip(ManagedIdentity.getToken("https://vault.azure.net").pipe(Effect.provide(layerFor(source))))
    )
    expect(error._tag).toBe("Unavailable")
    expect(error.message).toContain(`${name}: cannot be used here: it reads ${what}`)
    expect(error.message).toContain(EdgeManagedIdentity.noFileSystem)
    expect(emulator.requests.count()).toBe(0)
  })

  it("refuses Service Fabric before any request: it pins a certificate", async () => {
    const error = await Effect.runPromise(
      Effect.flip(ManagedIdentity.getToken("https://vault.azure.net").pipe(Effect.provide(layerFor("servicefabric"))))
    )
    expect(error._tag).toBe("Unavailable")
    expect(error.message).toContain(EdgeManagedIdentity.noCertificatePinning)
    expect(emulator.requests.count()).toBe(0)
  })

  it("uses the fetch given", async () => {
    const seen: Array<string> = []
    const token = await Effect.runPromise(
      ManagedIdentity.getToken("https://vault.azure.net").pipe(
        Effect.provide(
          EdgeManagedIdentity.layer({
            env: assertLoopbackOnly(emulator.envFor("cloudshell")),
            endpointGuard: ManagedIdentity.allowLoopbackOnly,
            fetch: (input, init) => {
              seen.push(`${init?.method} ${new URL(String(input)).pathname}`)
              return fetch(input, init)
            }
          })
        )
      )
    )
    expect(token.resource).toBe("https://vault.azure.net")
    expect(seen).toEqual(["POST /cloudshell/oauth2/token"])
  })
})
