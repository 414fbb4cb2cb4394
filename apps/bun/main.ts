// The seed's VM walkthrough in Bun: a token for Azure Resource Manager from IMDS with
// @managed-identity/bun, then this VM's information from ARM with it.
//
// This copy runs against the local emulator and a stand-in ARM only: it refuses to start unless
// both endpoints are on 127.0.0.1, and the credential's endpoint guard checks again. On a real VM,
// delete the two `assertLocal` lines and the `endpointGuard` line, and leave ARM_ENDPOINT unset.
import { ManagedIdentity } from "@managed-identity/core"
import { ManagedIdentityCredential } from "@managed-identity/bun"

function fail(message: string): never {
  console.error(`bun-example: ${message}`)
  process.exit(1)
}

/** Fail closed: IMDS must be the emulator (AZURE_POD_IDENTITY_AUTHORITY_HOST) and ARM the stand-in. */
const assertLocal = (name: string): void => {
  const value = Bun.env[name]
  if (!value) fail(`${name} is not set; run this against the emulator (see README.md), never the real IMDS`)
  const url = URL.canParse(value) ? new URL(value) : undefined
  if (url === undefined || !ManagedIdentity.allowLoopbackOnly(url)) {
    fail(`${name} must point at 127.0.0.1 for this example, not ${value}`)
  }
}

/** The claims of a JWT, read (not verified: ARM verifies it) to find this VM's resource id. */
const claimsOf = (token: string): Record<string, unknown> => {
  try {
    return JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString("utf8")) as Record<string, unknown>
  } catch {
    return {}
  }
}

// Fail closed (this example only; delete these two lines on a real VM).
assertLocal("AZURE_POD_IDENTITY_AUTHORITY_HOST")
assertLocal("ARM_ENDPOINT")
const arm = new URL(Bun.env.ARM_ENDPOINT || "https://management.azure.com")

// 1. A token from IMDS (detected from the environment): `Metadata: true`, the page's retry
//    guidance, and a cache until the token is due for refresh.
const credential = new ManagedIdentityCredential({
  clientId: Bun.env.AZURE_CLIENT_ID || undefined,
  managedIdentity: { endpointGuard: ManagedIdentity.allowLoopbackOnly }
})
const token = await credential
  .getToken("https://management.azure.com/.default")
  .catch((error: unknown) =>
    fail(`no token: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`)
  )
const claims = claimsOf(token.token)
console.log(`Bun ${Bun.version}: the managed identity's access token for Azure Resource Manager (not printed):`)
console.log(`  audience ${String(claims.aud)}`)
console.log(`  identity ${String(claims.oid)}`)
console.log(`  expires  ${new Date(token.expiresOnTimestamp).toISOString()}`)

// 2. This VM's information from ARM. The VM's resource id is the token's xms_mirid claim for a
//    system-assigned identity; VM_RESOURCE_ID overrides it.
const vmId = Bun.env.VM_RESOURCE_ID || String(claims.xms_mirid ?? "")
if (
  !/^\/subscriptions\/[^/]+\/resourcegroups\/[^/]+\/providers\/Microsoft\.Compute\/virtualMachines\/[^/]+$/i.test(vmId)
) {
  fail(`no VM resource id (got "${vmId}"): set VM_RESOURCE_ID`)
}
const response = await fetch(new URL(`${vmId}?api-version=2017-12-01`, arm), {
  headers: { Authorization: `Bearer ${token.token}` }
})
const body = await response.text()
if (!response.ok) fail(`ARM answered ${response.status}: ${body.slice(0, 300)}`)
console.log("JSON returned from call to get VM info:")
console.log(JSON.stringify(JSON.parse(body), null, 2))

await credential.close()
