/**
 * The edge adapter as the conformance suite's target: the environment is passed in explicitly
 * (as Worker bindings would be), there is no file system and no certificate pinning.
 */
import { ManagedIdentity } from "@managed-identity/core"
import type * as Suite from "@managed-identity/conformance/Suite"
import {
  AbortError,
  AuthenticationError,
  CredentialUnavailableError,
  ManagedIdentityCredential,
  type ManagedIdentityCredentialOptions
} from "../../src/index.js"

export const capabilities = {
  workerd: { fileSystem: false, certificatePinning: false, refusedConnections: false },
  "edge-runtime": { fileSystem: false, certificatePinning: false, refusedConnections: true }
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
  errors: { CredentialUnavailableError, AuthenticationError, AbortError }
})
