/**
 * A stand-in for Azure Resource Manager on 127.0.0.1, for examples and tests that use a token the way
 * the seed's VM walkthrough does: it answers `GET` on a VM's resource id with the VM's information,
 * and only for a bearer token the emulator signed for ARM (checked with the emulator's JWKS), as the
 * real ARM would only for a valid token.
 *
 * @since 0.1.0
 */
import { createPublicKey, type KeyObject, verify } from "node:crypto"
import { createServer } from "node:http"
import type { AddressInfo } from "node:net"

const VM_PATH =
  /^\/subscriptions\/[^/]+\/resourcegroups\/[^/]+\/providers\/Microsoft\.Compute\/virtualMachines\/([^/]+)$/i

/**
 * A running stand-in.
 *
 * @since 0.1.0
 * @category models
 */
export interface ArmStandIn {
  /** `http://127.0.0.1:<port>` */
  readonly url: string
  /** Requests answered with a VM, and requests refused for a missing or invalid token. */
  readonly counts: { served: number; refused: number }
  readonly close: () => Promise<void>
}

const claimsOf = (keys: ReadonlyArray<KeyObject>, token: string): Record<string, unknown> | undefined => {
  const [header, payload, signature] = token.split(".")
  if (!header || !payload || !signature) return undefined
  const signed = Buffer.from(`${header}.${payload}`)
  const valid = keys.some((key) => verify("RSA-SHA256", signed, key, Buffer.from(signature, "base64url")))
  if (!valid) return undefined
  try {
    return JSON.parse(Buffer.from(payload, "base64url").toString()) as Record<string, unknown>
  } catch {
    return undefined
  }
}

/**
 * Starts the stand-in on a random loopback port, trusting the given JWKS (`emulator.jwks`).
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import { ArmStandIn, Emulator } from "@managed-identity/emulator"
 *
 * const emulator = await Emulator.start()
 * const arm = await ArmStandIn.start(emulator.jwks)
 * // GET `${arm.url}${vmResourceId}` with `Authorization: Bearer <token for https://management.azure.com/>`
 * await arm.close()
 * await emulator.close()
 * ```
 */
export const start = async (jwks: { readonly keys: ReadonlyArray<object> }): Promise<ArmStandIn> => {
  const keys = jwks.keys.map((jwk) => createPublicKey({ key: jwk as any, format: "jwk" }))
  const counts = { served: 0, refused: 0 }
  const server = createServer((request, response) => {
    const json = (status: number, body: unknown) => {
      response.writeHead(status, { "content-type": "application/json; charset=utf-8" })
      response.end(JSON.stringify(body))
    }
    const claims = claimsOf(keys, request.headers.authorization?.replace(/^Bearer /i, "") ?? "")
    if (
      !claims ||
      !(Number(claims.exp) * 1000 > Date.now()) ||
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
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()))
  const address = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${address.port}`,
    counts,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      })
  }
}
