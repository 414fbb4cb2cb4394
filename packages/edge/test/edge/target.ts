/**
 * The edge adapter as the conformance suite's target: the environment is passed in explicitly
 * (as Worker bindings would be), there is no file system and no certificate pinning.
 */
import { ManagedIdentity } from "@managed-identity/core"
import * as Compatibility from "@managed-identity/conformance/Compatibility"
import * as Suite from "@managed-identity/conformance/Suite"
import {
  AbortError,
  AuthenticationError,
  CredentialUnavailableError,
  InvalidArgumentError,
  ManagedIdentityCredential,
  type ManagedIdentityCredentialOptions
} from "../../src/index.js"

export const capabilities = {
  workerd: { fileSystem: false, certificatePinning: false, refusedConnections: false },
  // edge-runtime's fetch (undici) turns a 407 into a network error, as the Fetch standard says.
  "edge-runtime": {
    fileSystem: false,
    certificatePinning: false,
    refusedConnections: true,
    proxyAuthenticationStatus: false
  }
} satisfies Record<string, Suite.Capabilities>

export const target = (runtime: keyof typeof capabilities): Suite.Target => ({
  runtime,
  capabilities: capabilities[runtime],
  endpointGuard: ManagedIdentity.allowLoopbackOnly,
  credential: (environment, options) =>
    new ManagedIdentityCredential({
      ...options,
      env: environment,
      managedIdentity: options.managedIdentity as ManagedIdentityCredentialOptions["managedIdentity"]
    }),
  errors: { CredentialUnavailableError, AuthenticationError, AbortError, InvalidArgumentError }
})

/**
 * What a Worker answers: the conformance suite's report, then the compatibility suite's, from one
 * run against the same emulator.
 */
export interface Reports {
  readonly suite: Suite.Report
  readonly compatibility: Suite.Report
}

export const runBoth = async (runtime: keyof typeof capabilities, setup: Compatibility.Setup): Promise<Reports> => {
  const suite = await Suite.run(target(runtime), setup)
  const compatibility = await Compatibility.run(target(runtime), setup)
  return { suite, compatibility }
}
