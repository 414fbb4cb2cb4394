/**
 * An unmodified Azure SDK client (@azure/arm-resources) with our ManagedIdentityCredential, talking
 * HTTPS to a local stand-in for Azure Resource Manager (a throwaway self-signed certificate trusted
 * only by this client): it must send `Authorization: Bearer <token from the emulator>` and get its answer.
 */
import { ResourceManagementClient } from "@azure/arm-resources"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import type { Emulator } from "@managed-identity/emulator"
import * as https from "node:https"
import type { AddressInfo } from "node:net"
import { hasOpenssl, selfSigned } from "../../node-shared/test/fixtures/certificates.js"
import { credentialFor, startEmulator, verifiedClaims } from "./support/emulator.js"

const SUBSCRIPTION = "00000000-0000-0000-0000-0000000000aa"

let emulator: Emulator.Emulator
let arm: https.Server
let armUrl: string
let ca: string
const seen: Array<{ path: string; authorization: string | undefined }> = []

beforeAll(async () => {
  emulator = await startEmulator()
  if (!hasOpenssl) return
  const certificate = selfSigned()
  ca = certificate.cert
  arm = https.createServer({ key: certificate.key, cert: certificate.cert }, (request, response) => {
    const authorization = request.headers.authorization
    seen.push({ path: request.url ?? "", authorization })
    const token = authorization?.startsWith("Bearer ") ? authorization.slice(7) : undefined
    let audience: unknown
    try {
      audience = token === undefined ? undefined : verifiedClaims(emulator, token).aud
    } catch {
      audience = undefined
    }
    if (audience !== "https://management.azure.com" && audience !== "https://management.azure.com/") {
      response.writeHead(401, {
        "content-type": "application/json",
        "www-authenticate": 'Bearer authorization_uri="https://login.microsoftonline.com/common"'
      })
      response.end(
        JSON.stringify({ error: { code: "InvalidAuthenticationToken", message: "The access token is invalid." } })
      )
      return
    }
    const match = /^\/subscriptions\/([^/]+)\/resourcegroups\/([^/?]+)/i.exec(request.url ?? "")
    response.writeHead(match ? 200 : 404, { "content-type": "application/json" })
    response.end(
      JSON.stringify(
        match
          ? {
              id: `/subscriptions/${match[1]}/resourceGroups/${match[2]}`,
              name: match[2],
              location: "westeurope",
              type: "Microsoft.Resources/resourceGroups",
              properties: { provisioningState: "Succeeded" }
            }
          : { error: { code: "NotFound", message: "not found" } }
      )
    )
  })
  await new Promise<void>((resolve) => arm.listen(0, "127.0.0.1", resolve))
  armUrl = `https://127.0.0.1:${(arm.address() as AddressInfo).port}`
})

afterAll(async () => {
  await emulator.close()
  if (arm) await new Promise<void>((resolve) => arm.close(() => resolve()))
})

describe("an Azure SDK client with ManagedIdentityCredential", () => {
  it.skipIf(!hasOpenssl)("sends the emulator's token as a Bearer token and gets ARM's answer", async () => {
    const credential = credentialFor(emulator, "imds")
    const client = new ResourceManagementClient(credential, SUBSCRIPTION, {
      endpoint: armUrl,
      credentialScopes: ["https://management.azure.com/.default"],
      tlsOptions: { ca }
    })
    const group = await client.resourceGroups.get("quickstart-rg")
    expect(group.name).toBe("quickstart-rg")
    expect(group.properties?.provisioningState).toBe("Succeeded")

    const { token } = await credential.getToken("https://management.azure.com/.default")
    const sent = seen.find((s) => s.path.toLowerCase().includes("/resourcegroups/quickstart-rg"))
    expect(sent?.authorization).toBe(`Bearer ${token}`)
    // the SDK asked once; later calls are served from our cache
    await client.resourceGroups.get("second-rg")
    expect(emulator.requests.count("imds")).toBe(1)
    await credential.close()
  })
})
