// The two credentials under test, built the way a user builds them. Both read their endpoint from
// AZURE_POD_IDENTITY_AUTHORITY_HOST (checked by guard.cjs before this module is imported); ours
// also gets `endpointGuard: loopbackOnly` (guard.cjs, the same check as core's
// `ManagedIdentity.allowLoopbackOnly`), so it refuses any other host.
//
// Ours is loaded from the entry the parent names (`--entry`): the import the documentation shows
// (lib/documented.mjs), read when the benchmark runs.
import { loopbackOnly } from "./guard.cjs"

/** Our dedicated Promise-API entry point, measured next to the documented import while it exists. */
export const DEDICATED_ENTRY = "@managed-identity/node/ManagedIdentityCredential"
export const THEIRS_ENTRY = "@azure/identity"

/** A scope no other run uses, so emulator requests can be attributed to one run. */
export const uniqueScope = (label) => `https://${label}.bench.example/.default`

/** The resource the emulator sees for a scope (both libraries strip `/.default`). */
export const resourceOf = (scope) => scope.replace(/\/\.default$/, "")

/**
 * `ManagedIdentityCredential` of either library; ours from `entry`. `managedIdentity` options are
 * ours only (the cache size for the memory benchmark, the retry delta of `--quick`).
 */
export const makeCredential = async (contender, { entry, managedIdentity = {} } = {}) => {
  if (contender === "ours") {
    if (entry === undefined) throw new Error("makeCredential: ours needs the entry to import (--entry)")
    const { ManagedIdentityCredential } = await import(entry)
    return new ManagedIdentityCredential({ managedIdentity: { ...managedIdentity, endpointGuard: loopbackOnly } })
  }
  if (contender === "theirs") {
    const { ManagedIdentityCredential } = await import(THEIRS_ENTRY)
    return new ManagedIdentityCredential()
  }
  throw new Error(`unknown contender ${contender}`)
}
