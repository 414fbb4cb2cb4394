// The seed's VM walkthrough ("How to use managed identities for Azure resources on an Azure VM to
// acquire an access token") in TypeScript: get a token for Azure Resource Manager from IMDS, then
// use it to read this VM's information from ARM, as the page's PowerShell example does.
//
// This copy runs against the local emulator and a local stand-in for ARM only: it refuses to start
// unless every endpoint is on 127.0.0.1, and its credential's endpoint guard checks again. On a real
// VM, delete the two `assertLocal` lines and the `endpointGuard` line, and leave ARM_ENDPOINT unset.
import { ManagedIdentity } from "@managed-identity/core"
import { ManagedIdentityCredential } from "@managed-identity/node"

function fail(message: string): never {
  console.error(`vm-script: ${message}`)
  process.exit(1)
}

/** Fail closed: IMDS must be the emulator (AZURE_POD_IDENTITY_AUTHORITY_HOST) and ARM the stand-in. */
const assertLocal = (name: string, value: string | undefined): void => {
  if (value === undefined || value === "") {
    fail(`${name} is not set; run this against the emulator (see README.md), never the real IMDS`)
  }
  let url: URL | undefined
  try {
    url = new URL(value)
  } catch {
    url = undefined
  }
  if (url === undefined || !ManagedIdentity.allowLoopbackOnly(url)) {
    fail(`${name} must point at 127.0.0.1 for this example, not ${value}`)
  }
}

/** The claims of a JWT, read (not verified: ARM verifies it) to find this VM's resource id. */
const claimsOf = (token: string): Record<string, unknown> => {
  const payload = token.split(".")[1] ?? ""
  try {
    return JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as Record<string, unknown>
  } catch {
    return {}
  }
}

// Fail closed (this example only; delete these two lines on a real VM).
assertLocal("AZURE_POD_IDENTITY_AUTHORITY_HOST", process.env.AZURE_POD_IDENTITY_AUTHORITY_HOST)
assertLocal("ARM_ENDPOINT", process.env.ARM_ENDPOINT)
const arm = new URL(process.env.ARM_ENDPOINT || "https://management.azure.com")

// 1. A token from IMDS. The credential finds IMDS from the environment (no other source is
//    configured), sends `Metadata: true`, retries 404/410/429/5xx on the page's schedule and caches
//    the token until it is due for refresh.
const credential = new ManagedIdentityCredential({
  clientId: process.env.AZURE_CLIENT_ID || undefined,
  managedIdentity: { endpointGuard: ManagedIdentity.allowLoopbackOnly }
})
const token = await credential
  .getToken("https://management.azure.com/.default")
  // The message says what happened and what to do; it never contains a token or a secret.
  .catch((error: unknown) =>
    fail(`no token: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`)
  )
const claims = claimsOf(token.token)
console.log("The managed identity's access token for Azure Resource Manager (not printed):")
console.log(`  audience ${String(claims.aud)}`)
console.log(`  identity ${String(claims.oid)}`)
console.log(`  expires  ${new Date(token.expiresOnTimestamp).toISOString()}`)

// 2. This VM's information from ARM, with the token as a bearer token. The VM's resource id is the
//    token's xms_mirid claim for a system-assigned identity; VM_RESOURCE_ID overrides it.
const vmId = process.env.VM_RESOURCE_ID || String(claims.xms_mirid ?? "")
if (
  !/^\/subscriptions\/[^/]+\/resourcegroups\/[^/]+\/providers\/Microsoft\.Compute\/virtualMachines\/[^/]+$/i.test(vmId)
) {
  fail(
    `no VM resource id (got "${vmId}"): set VM_RESOURCE_ID=/subscriptions/<id>/resourceGroups/<rg>/providers/Microsoft.Compute/virtualMachines/<name>`
  )
}
const url = new URL(`${vmId}?api-version=2017-12-01`, arm)
const response = await fetch(url, { headers: { Authorization: `Bearer ${token.token}` } })
const body = await response.text()
if (!response.ok) fail(`ARM answered ${response.status}: ${body.slice(0, 300)}`)
console.log("JSON returned from call to get VM info:")
console.log(JSON.stringify(JSON.parse(body), null, 2))

await credential.close()
