// The main job, as the seed's VM walkthrough does it (get a token from IMDS, then read the VM's
// information from Azure Resource Manager), but against the local emulator and a local stand-in
// for ARM, so it runs anywhere with no Azure account. Every byte stays on 127.0.0.1.
import { createServer } from "node:http"
import * as Effect from "effect/Effect"
import { createPublicKey, verify } from "node:crypto"
import { ManagedIdentity } from "@managed-identity/core"
import { Emulator } from "@managed-identity/emulator"
import { ManagedIdentityCredential } from "@managed-identity/node"

const quiet = process.argv.includes("--quiet")
const say = (line = "") => {
  if (!quiet) console.log(line)
}
const started = performance.now()
const ms = () => `${Math.round(performance.now() - started)} ms`

// 1. The emulator, with the faults a real host shows now and then (see the seed's error table):
//    IMDS updating (410), throttled (429 with Retry-After), briefly unavailable (503).
const emulator = await Emulator.start({
  faults: [
    "imds:410x1",
    { target: "imds", action: { kind: "status", status: 429, retryAfterSeconds: 1 }, times: 1 },
    "imds:503x1"
  ]
})

// 2. A stand-in for Azure Resource Manager that accepts only tokens the emulator signed for ARM.
const jwk = emulator.jwks.keys[0]
const armKey = createPublicKey({ key: jwk, format: "jwk" })
const claimsOf = (token) => {
  const [header, payload, signature] = token.split(".")
  const valid = verify(
    "RSA-SHA256",
    Buffer.from(`${header}.${payload}`),
    armKey,
    Buffer.from(signature ?? "", "base64url")
  )
  return valid ? JSON.parse(Buffer.from(payload, "base64url").toString()) : undefined
}
const arm = createServer((request, response) => {
  const token = request.headers.authorization?.replace(/^Bearer /, "")
  const claims = token ? claimsOf(token) : undefined
  if (!claims || !String(claims.aud).startsWith("https://management.azure.com")) {
    response.writeHead(401, { "content-type": "application/json" })
    return response.end(JSON.stringify({ error: { code: "InvalidAuthenticationToken" } }))
  }
  const path = new URL(request.url ?? "/", "http://arm").pathname
  const vm = /\/virtualMachines\/([^/]+)$/i.exec(path)?.[1] ?? "unknown"
  response.writeHead(200, { "content-type": "application/json" })
  response.end(
    JSON.stringify({
      id: path,
      name: vm,
      location: "westeurope",
      properties: { vmId: claims.oid, hardwareProfile: { vmSize: "Standard_B2s" }, provisioningState: "Succeeded" },
      identity: { type: "SystemAssigned", principalId: claims.oid, tenantId: claims.tid }
    })
  )
})
await new Promise((resolve) => arm.listen(0, "127.0.0.1", resolve))
const armUrl = `http://127.0.0.1:${arm.address().port}`

// 3. Point the library at the emulator exactly as on a real host: with the standard variable.
//    Fail closed: refuse to go on unless it names a loopback address.
process.env.AZURE_POD_IDENTITY_AUTHORITY_HOST = emulator.url
if (!ManagedIdentity.allowLoopbackOnly(new URL(process.env.AZURE_POD_IDENTITY_AUTHORITY_HOST))) {
  throw new Error("AZURE_POD_IDENTITY_AUTHORITY_HOST must point at the local emulator")
}

say(`managed-identity quickstart — emulator at ${emulator.url}, stand-in ARM at ${armUrl}`)
say("IMDS will answer 410, then 429 (Retry-After: 1), then 503 before it gives a token.")
say("The retry policy is IMDS's (exponential, no fast first retry, Retry-After honoured), with a")
say("0.25 s delta instead of production's 2 s so this finishes quickly.\n")

const credential = new ManagedIdentityCredential({
  managedIdentity: {
    endpointGuard: ManagedIdentity.allowLoopbackOnly,
    retry: { delta: 250, jitter: 0 },
    // Progress on waits: the attempt about to be made, how long until then, and why.
    onRetry: (event) =>
      Effect.sync(() => {
        const cause = event.error.status ? `IMDS answered ${event.error.status}` : event.error.message
        say(`  … attempt ${event.attempt}/${event.maxAttempts ?? "∞"}, next in ${event.delayMs} ms — ${cause}`)
      })
  }
})

// 4. Get a token for ARM (the scope every Azure SDK client would ask for).
const scope = "https://management.azure.com/.default"
const t0 = performance.now()
const token = await credential.getToken(scope)
const tokenMs = Math.round(performance.now() - t0)
const claims = claimsOf(token.token)
const imdsRequests = emulator.requests.count("imds")
say(`\n✓ token after ${imdsRequests} IMDS requests in ${tokenMs} ms (token itself not printed)`)
say(`  audience   ${claims.aud}`)
say(`  identity   oid ${claims.oid}`)
say(`  expires    ${new Date(token.expiresOnTimestamp).toISOString()}`)
say(`  refresh at ${new Date(token.refreshAfterTimestamp).toISOString()}`)

// 5. Read this VM's information from ARM, as the seed's PowerShell example does. The VM's resource id
//    is in the token's xms_mirid claim.
const vmId = String(claims.xms_mirid)
const response = await fetch(`${armUrl}${vmId}?api-version=2024-07-01`, {
  headers: { Authorization: `Bearer ${token.token}` }
})
const vm = await response.json()
say(`\n✓ ARM answered ${response.status} for ${vmId}`)
say(`  name ${vm.name}, location ${vm.location}, size ${vm.properties?.hardwareProfile?.vmSize}`)

// 6. Ask again: the token comes from the cache, no new request.
const t1 = performance.now()
await credential.getToken(scope)
const hitUs = Math.round((performance.now() - t1) * 1000)
const after = emulator.requests.count("imds")
say(`\n✓ second getToken served from the cache in ${hitUs} µs (${after - imdsRequests} new IMDS requests)`)

await credential.close()
await new Promise((resolve) => arm.close(resolve))
await emulator.close()

const ok = response.status === 200 && vm.name !== undefined && imdsRequests === 4 && after === imdsRequests
say(ok ? `\nDone in ${ms()}.` : "\nSomething went wrong.")
if (!ok) {
  console.error(`quickstart failed: ARM status ${response.status}, IMDS requests ${imdsRequests}, after ${after}`)
  process.exitCode = 1
}
