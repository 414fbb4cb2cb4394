// A stand-in for Azure Resource Manager on 127.0.0.1: it answers GET on a VM's resource id with
// the VM's information, and only for a bearer token the emulator signed for ARM (checked with the
// emulator's JWKS), as the real ARM would only for a valid token.
import { createPublicKey, type JsonWebKey, verify } from "node:crypto"
import { createServer } from "node:http"
import type { AddressInfo } from "node:net"

export interface ArmStandIn {
  /** `http://127.0.0.1:<port>`: ARM_ENDPOINT. */
  readonly url: string
  /** Requests answered 200, and refused with 401. */
  readonly counts: { served: number; refused: number }
  readonly close: () => Promise<void>
}

export const startArmStandIn = async (jwks: { readonly keys: ReadonlyArray<object> }): Promise<ArmStandIn> => {
  const keys = jwks.keys.map((jwk) => createPublicKey({ key: jwk as JsonWebKey, format: "jwk" }))
  const claimsOf = (token: string): Record<string, unknown> | undefined => {
    const [header, payload, signature] = token.split(".")
    if (!header || !payload || !signature) return undefined
    const signed = Buffer.from(`${header}.${payload}`)
    const valid = keys.some((key) => verify("RSA-SHA256", signed, key, Buffer.from(signature, "base64url")))
    return valid ? (JSON.parse(Buffer.from(payload, "base64url").toString()) as Record<string, unknown>) : undefined
  }
  const counts = { served: 0, refused: 0 }
  const server = createServer((request, response) => {
    const json = (status: number, body: unknown) => {
      response.writeHead(status, { "content-type": "application/json; charset=utf-8" })
      response.end(JSON.stringify(body))
    }
    const claims = claimsOf(request.headers.authorization?.replace(/^Bearer /i, "") ?? "")
    const fresh = claims !== undefined && typeof claims.exp === "number" && claims.exp * 1000 > Date.now()
    if (!fresh || !String(claims.aud).startsWith("https://management.azure.com")) {
      counts.refused++
      return json(401, {
        error: { code: "InvalidAuthenticationToken", message: "The access token is invalid, expired or not for ARM." }
      })
    }
    const path = new URL(request.url ?? "/", "http://arm").pathname
    const match =
      /^\/subscriptions\/([^/]+)\/resourcegroups\/([^/]+)\/providers\/Microsoft\.Compute\/virtualMachines\/([^/]+)$/i.exec(
        path
      )
    if (match === null) return json(404, { error: { code: "ResourceNotFound", message: `No resource at ${path}.` } })
    counts.served++
    const name = match[3]
    json(200, {
      id: path,
      name,
      type: "Microsoft.Compute/virtualMachines",
      location: "westeurope",
      identity: { type: "SystemAssigned", principalId: claims.oid, tenantId: claims.tid },
      properties: {
        vmId: "8a6e1f2c-0000-4000-8000-00000000a11e",
        hardwareProfile: { vmSize: "Standard_B2s" },
        storageProfile: { osDisk: { osType: "Linux", name: `${name}_OsDisk` } },
        osProfile: { computerName: name, adminUsername: "azureuser" },
        provisioningState: "Succeeded"
      }
    })
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    counts,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      })
  }
}
