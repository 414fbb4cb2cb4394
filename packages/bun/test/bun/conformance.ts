/**
 * The conformance and cross-SDK compatibility suites under `bun test`: one Bun test per case, each printing its result for the
 * Node process that runs this file (test/Conformance.test.ts) and holds the emulator.
 */
import { test } from "bun:test"
import { ManagedIdentity } from "@managed-identity/core"
import * as Compatibility from "@managed-identity/conformance/Compatibility"
import * as Suite from "@managed-identity/conformance/Suite"
import {
  AbortError,
  AuthenticationError,
  CredentialUnavailableError,
  InvalidArgumentError,
  ManagedIdentityCredential
} from "../../src/index.js"

const setup = JSON.parse(process.env.MI_CONFORMANCE_SETUP ?? "null") as Compatibility.Setup

const target: Suite.Target = {
  runtime: "bun",
  capabilities: { fileSystem: true, certificatePinning: true, refusedConnections: true },
  endpointGuard: ManagedIdentity.allowLoopbackOnly,
  credential: (environment, options) =>
    new ManagedIdentityCredential({
      ...options,
      managedIdentity: { ...(options.managedIdentity as object), environment }
    }),
  errors: { CredentialUnavailableError, AuthenticationError, AbortError, InvalidArgumentError }
}

for (const c of Suite.cases(target.capabilities)) {
  test(c.name, async () => {
    const result = await Suite.runCase(target, setup, c)
    console.log(`${Suite.REPORT_PREFIX}${JSON.stringify(result)}`)
    if (!result.ok) throw new Error(result.error)
  })
}

for (const c of Compatibility.cases(target.capabilities)) {
  test(c.name, async () => {
    const result = await Compatibility.runCase(target, setup, c)
    console.log(`${Suite.REPORT_PREFIX}${JSON.stringify(result)}`)
    if (!result.ok) throw new Error(result.error)
  })
}
