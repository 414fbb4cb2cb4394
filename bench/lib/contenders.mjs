// The two credentials under test, built the way a user builds them. Both read their endpoint from
// AZURE_POD_IDENTITY_AUTHORITY_HOST (checked by guard.mjs before this module is imported); ours
// also gets `endpointGuard: ManagedIdentity.allowLoopbackOnly`, so it refuses any other host.

/** The entry point of our Promise API (`ManagedIdentityCredential` for Node). */
export const OURS_ENTRY = "@managed-identity/node/ManagedIdentityCredential"
/** The package barrel, measured for reference: it also loads the Effect API (layers, services). */
export const OURS_BARREL = "@managed-identity/node"
export const THEIRS_ENTRY = "@azure/identity"

/** A scope no other run uses, so emulator requests can be attributed to one run. */
export const uniqueScope = (label) => `https://${label}.bench.example/.default`

/** The resource the emulator sees for a scope (both libraries strip `/.default`). */
export const resourceOf = (scope) => scope.replace(/\/\.default$/, "")

/**
 * `ManagedIdentityCredential` of either library. `managedIdentity` options are ours only (the cache
 * size for the memory benchmark, the retry delta of `--quick`).
 */
export const makeCredential = async (contender, managedIdentity = {}) => {
  if (contender === "ours") {
    const [{ ManagedIdentityCredential }, ManagedIdentity] = await Promise.all([
      import(OURS_ENTRY),
      import("@managed-identity/core/ManagedIdentity")
    ])
    return new ManagedIdentityCredential({
      managedIdentity: { ...managedIdentity, endpointGuard: ManagedIdentity.allowLoopbackOnly }
    })
  }
  if (contender === "theirs") {
    const { ManagedIdentityCredential } = await import(THEIRS_ENTRY)
    return new ManagedIdentityCredential()
  }
  throw new Error(`unknown contender ${contender}`)
}
