/**
 * The Promise API's engine: core's `ManagedIdentity` over this adapter's layer, for the variables
 * the credential saw. Loaded by a dynamic import the first time a credential needs more than its
 * first request (a retry, a refresh, a claims challenge, a file or a pinned certificate), so a
 * process that never does never loads the Effect runtime.
 *
 * @internal
 */
import * as CredentialEngine from "@managed-identity/core/CredentialEngine"
import type { Variables } from "@managed-identity/core/Environment"
import type * as TokenCredential from "@managed-identity/core/TokenCredential"
import * as DenoManagedIdentity from "../DenoManagedIdentity.js"
import type { Settings } from "../ManagedIdentityCredential.js"

/** @internal */
export const make = (config: TokenCredential.ConfigOf<Settings>, variables: Variables): TokenCredential.Engine =>
  CredentialEngine.make(DenoManagedIdentity.layer({ ...config, environment: variables }))
