/**
 * One token cache per process, through the Node credential and the real emulator: the shared cases
 * of the conformance suite (fresh credentials in a row and concurrently, two identities never
 * crossing, close() on one, sharing turned off), and the cost of a warm call on a fresh credential
 * as an allocation count, never a time (times belong to bench/).
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { Emulator } from "@managed-identity/emulator"
import { ManagedIdentity } from "@managed-identity/core"
import * as Harness from "../../conformance/src/Harness.js"
import * as Suite from "../../conformance/src/Suite.js"
import {
  AbortError,
  AuthenticationError,
  CredentialUnavailableError,
  InvalidArgumentError,
  ManagedIdentityCredential
} from "../src/index.js"
import { assertLoopbackOnly } from "./support/emulator.js"

const target: Suite.Target = {
  runtime: "node",
  capabilities: { fileSystem: true, certificatePinning: true, refusedConnections: true },
  endpointGuard: ManagedIdentity.allowLoopbackOnly,
  credential: (environment, options) =>
    new ManagedIdentityCredential({
      ...options,
      managedIdentity: { ...(options.managedIdentity as object), environment: assertLoopbackOnly(environment) }
    }),
  errors: { CredentialUnavailableError, AuthenticationError, AbortError, InvalidArgumentError }
}

let emulator: Emulator.Emulator
let setup: Suite.Setup
beforeAll(async () => {
  emulator = await Emulator.start(Harness.emulatorOptions)
  setup = await Harness.setupFor(emulator)
})
afterAll(() => emulator.close())

describe("one token cache per process (Node, real emulator)", () => {
  it.each(Suite.sharingCases.map((c) => [c.name, c] as const))("%s", async (_, c) => {
    const result = await Suite.runCase(target, setup, c)
    expect(result.error).toBeUndefined()
    expect(result.ok).toBe(true)
  })

  it("a warm getToken on a freshly built credential is answered synchronously from the cache", async () => {
    const options = () => ({
      managedIdentity: {
        environment: assertLoopbackOnly(emulator.envFor("imds")),
        endpointGuard: ManagedIdentity.allowLoopbackOnly
      }
    })
    const first = new ManagedIdentityCredential(options())
    const token = await first.getToken("https://storage.azure.com/.default")
    const before = emulator.requests.count("imds")
    // A resolved promise is settled before any macrotask: the answer came from the cache, with no
    // request and no timer behind it.
    let settled: string | undefined
    const fresh = new ManagedIdentityCredential(options())
    void fresh.getToken("https://storage.azure.com/.default").then((t) => {
      settled = t.token
    })
    await Promise.resolve()
    await Promise.resolve()
    expect(settled).toBe(token.token)
    expect(emulator.requests.count("imds")).toBe(before)
    await Promise.all([first.close(), fresh.close()])
  })
})
