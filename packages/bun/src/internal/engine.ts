/**
 * The Promise API's engine: core's `ManagedIdentity` over this adapter's layer, for the variables
 * the credential saw. Loaded by a dynamic import the first time a credential needs it: a source that
 * reads a file or pins a certificate (workload identity, Azure Arc, Service Fabric), or a setting
 * that is an Effect (`onRetry`, `effectTelemetry`); a process that never does never loads the
 * Effect runtime.
 *
 * @internal
 */
import * as CredentialEngine from "@managed-identity/core/CredentialEngine"
import type { Variables } from "@managed-identity/core/Environment"
import type * as TokenCredential from "@managed-identity/core/TokenCredential"
import * as BunManagedIdentity from "../BunManagedIdentity.js"
import type { Settings } from "../ManagedIdentityCredential.js"

/** @internal */
export const make = (config: TokenCredential.ConfigOf<Settings>, variables: Variables): TokenCredential.Engine =>
  CredentialEngine.make(BunManagedIdentity.layer({ ...config, environment: variables }))
