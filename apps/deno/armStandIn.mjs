// A stand-in for Azure Resource Manager on 127.0.0.1 (runs in Node): it answers GET on a VM's
// resource id with the VM's information, and only for a bearer token the emulator signed for ARM
// (checked with the emulator's JWKS), as the real ARM would only for a valid token.
import { createPublicKey, verify } from "node:crypto"
import { createServer } from "node:http"

const VM_PATH =
  /^\/subscriptions\/[^/]+\/resourcegroups\/[^/]+\/providers\/Microsoft\.Compute\/virtualMachines\/([^/]+)$/i

/**
 * @param {{ readonly keys: ReadonlyArray<object> }} jwks the emulator's JWKS (`emulator.jwks`)
 * @returns {Promise<{ url: string, counts: { served: number, refused: number }, close: () => Promise<void> }>}
 */
export const startArmStandIn = async (jwks) => {
  const keys = jwks.keys.map((jwk) => createPublicKey({ key: /** @type {any} */ (jwk), format: "jwk" }))
  /** @param {string} token */
  const claimsOf = (token) => {
    const [header, payload, signature] = token.split(".")
    if (!header || !payload || !signature) return undefined
    const signed = Buffer.from(`${header}.${payload}`)
    const valid = keys.some((key) => verify("RSA-SHA256", signed, key, Buffer.from(signature, "base64url")))
    return valid ? JSON.parse(Buffer.from(payload, "base64url").toString()) : undefined
  }
  const counts = { served: 0, refused: 0 }
  const server = createServer((request, response) => {
    /** @param {number} status @param {unknown} body */
    const json = (status, body) => {
      response.writeHead(status, { "content-type": "application/json; charset=utf-8" })
      response.end(JSON.stringify(body))
    }
    const claims = claimsOf(request.headers.authorization?.replace(/^Bearer /i, "") ?? "")
    if (
      !claims ||
      !(claims.exp * 1000 > Date.now()) ||
      !String(claims.aud).startsWith("https://management.azure.com")
    ) {
      counts.refused++
      return json(401, { error: { code: "InvalidAuthenticationToken", message: "The access token is invalid." } })
    }
    const path = new URL(request.url ?? "/", "http://arm").pathname
    const name = VM_PATH.exec(path)?.[1]
    if (name === undefined)
      return json(404, { error: { code: "ResourceNotFound", message: `No resource at ${path}.` } })
    counts.served++
    json(200, {
      id: path,
      name,
      type: "Microsoft.Compute/virtualMachines",
      location: "westeurope",
      identity: { type: "SystemAssigned", principalId: claims.oid, tenantId: claims.tid },
      properties: { hardwareProfile: { vmSize: "Standard_B2s" }, provisioningState: "Succeeded" }
    })
  })
  await new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(undefined)))
  const address = /** @type {import("node:net").AddressInfo} */ (server.address())
  return {
    url: `http://127.0.0.1:${address.port}`,
    counts,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve(undefined))
      })
  }
}
