/**
 * The conformance suite on Node, in this process, through `@managed-identity/node`'s credential
 * (node:http, node:https), against the emulator over loopback.
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { ManagedIdentity } from "@managed-identity/core"
import { Emulator } from "@managed-identity/emulator"
import {
  AbortError,
  AuthenticationError,
  CredentialUnavailableError,
  InvalidArgumentError,
  ManagedIdentityCredential
} from "@managed-identity/node"
import * as Compatibility from "../src/Compatibility.js"
import * as Harness from "../src/Harness.js"
import * as Suite from "../src/Suite.js"

const capabilities: Suite.Capabilities = { fileSystem: true, certificatePinning: true, refusedConnections: true }

const target: Suite.Target = {
  runtime: "node",
  capabilities,
  endpointGuard: ManagedIdentity.allowLoopbackOnly,
  credential: (environment, options) =>
    new ManagedIdentityCredential({
      ...options,
      managedIdentity: { ...(options.managedIdentity as object), environment }
    }),
  errors: { CredentialUnavailableError, AuthenticationError, AbortError, InvalidArgumentError }
}

let emulator: Emulator.Emulator
let report: Suite.Report
let compatibility: Suite.Report

beforeAll(async () => {
  emulator = await Emulator.start(Harness.emulatorOptions)
  const setup = await Harness.setupFor(emulator)
  report = await Suite.run(target, setup)
  compatibility = await Compatibility.run(target, setup)
}, 120_000)

afterAll(async () => {
  await emulator?.close()
})

describe("conformance on Node", () => {
  it.each(Suite.cases(capabilities).map((c) => c.name))("%s", (name) => {
    const result = report.results.find((r) => r.name === name)
    expect(result?.error).toBeUndefined()
    expect(result?.ok).toBe(true)
  })

  it("the emulator's request log agrees with every case's declaration", () => {
    expect(Harness.totals(emulator)).toEqual(Harness.expectedTotals(capabilities))
  })
})

describe("cross-SDK compatibility on Node", () => {
  it.each(Compatibility.cases(capabilities).map((c) => c.name))("%s", (name) => {
    const result = compatibility.results.find((r) => r.name === name)
    expect(result?.error).toBeUndefined()
    expect(result?.ok).toBe(true)
  })
})
