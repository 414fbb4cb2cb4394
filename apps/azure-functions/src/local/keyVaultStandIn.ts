// A stand-in for Azure Key Vault on 127.0.0.1, for the demo and the smoke test. It speaks the part
// of Key Vault's protocol SecretClient uses: the first request of a client is unauthenticated and
// gets 401 with Key Vault's challenge (which names the token's resource); requests with a bearer
// token get the secret if the token verifies with the emulator's JWKS and is for Key Vault.
// Key Vault clients refuse plain HTTP, so it serves HTTPS with a certificate made by the system's
// openssl for this run (no key is ever committed).
import { execFileSync } from "node:child_process"
import { createPublicKey, type JsonWebKey, randomUUID, verify } from "node:crypto"
import { mkdtempSync, readFileSync, rmSync } from "node:fs"
import { createServer, type Server } from "node:https"
import type { AddressInfo } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"

export interface KeyVaultStandInOptions {
  /** The emulator's JWKS (`emulator.jwks`): tokens must verify with it. */
  readonly jwks: { readonly keys: ReadonlyArray<object> }
  readonly tenantId: string
  /** Secret name → value. */
  readonly secrets: Readonly<Record<string, string>>
  /** When set, only tokens issued to this client id (`appid`) are accepted. */
  readonly clientId?: string | undefined
}

export interface KeyVaultStandIn {
  /** `https://127.0.0.1:<port>`: the vault URL. */
  readonly url: string
  /** The certificate (PEM) to trust: `SecretClient`'s `tlsOptions: { ca }`. */
  readonly ca: string
  /** What arrived: `challenged` (no token), `served`, `refused` (a bad token), `missing` (no such secret). */
  readonly counts: { challenged: number; served: number; refused: number; missing: number; revoked: number }
  /**
   * Revokes every token seen so far, as Continuous Access Evaluation does: requests bearing one get
   * 401 with an `insufficient_claims` challenge, and the client asks its credential for a new token.
   */
  readonly revokeSeenTokens: () => void
  readonly close: () => Promise<void>
}

const selfSigned = (): { readonly key: string; readonly cert: string } => {
  const dir = mkdtempSync(join(tmpdir(), "kv-stand-in-"))
  try {
    execFileSync(
      "openssl",
      [
        ...["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"],
        ...["-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost", "-days", "1"],
        ...["-keyout", join(dir, "key.pem"), "-out", join(dir, "cert.pem")]
      ],
      { stdio: "ignore" }
    )
    return { key: readFileSync(join(dir, "key.pem"), "utf8"), cert: readFileSync(join(dir, "cert.pem"), "utf8") }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

const KEY_VAULT = "https://vault.azure.net"

export const startKeyVaultStandIn = async (options: KeyVaultStandInOptions): Promise<KeyVaultStandIn> => {
  const keys = options.jwks.keys.map((jwk) => createPublicKey({ key: jwk as JsonWebKey, format: "jwk" }))
  const claimsOf = (token: string): Record<string, unknown> | undefined => {
    const [header, payload, signature] = token.split(".")
    if (!header || !payload || !signature) return undefined
    const signed = Buffer.from(`${header}.${payload}`)
    const valid = keys.some((key) => verify("RSA-SHA256", signed, key, Buffer.from(signature, "base64url")))
    return valid ? (JSON.parse(Buffer.from(payload, "base64url").toString()) as Record<string, unknown>) : undefined
  }
  const versions = new Map(Object.keys(options.secrets).map((name) => [name, randomUUID().replace(/-/g, "")]))
  const updated = Math.floor(Date.now() / 1000)
  const counts = { challenged: 0, served: 0, refused: 0, missing: 0, revoked: 0 }
  const seen = new Set<string>()
  const revoked = new Set<string>()
  const { key, cert } = selfSigned()

  const server: Server = createServer({ key, cert }, (request, response) => {
    const json = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      response.writeHead(status, { "content-type": "application/json; charset=utf-8", ...headers })
      response.end(JSON.stringify(body))
    }
    const authorization = request.headers.authorization
    if (authorization === undefined) {
      counts.challenged++
      return json(
        401,
        { error: { code: "Unauthorized", message: "AKV10000: Request is missing a Bearer or PoP token." } },
        {
          "www-authenticate": `Bearer authorization="https://login.microsoftonline.com/${options.tenantId}", resource="${KEY_VAULT}"`
        }
      )
    }
    const token = authorization.replace(/^Bearer /i, "")
    if (revoked.has(token)) {
      counts.revoked++
      // Key Vault's CAE challenge: the claims a new token must satisfy, base64-encoded.
      const wanted = Buffer.from(JSON.stringify({ access_token: { nbf: { essential: true, value: `${updated}` } } }))
      return json(
        401,
        { error: { code: "Unauthorized", message: "AKV10013: The token has been revoked." } },
        {
          "www-authenticate": `Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", error="insufficient_claims", claims="${wanted.toString("base64")}"`
        }
      )
    }
    seen.add(token)
    const claims = claimsOf(token)
    const fresh = claims !== undefined && typeof claims.exp === "number" && claims.exp * 1000 > Date.now()
    const forVault = claims !== undefined && String(claims.aud).replace(/\/$/, "") === KEY_VAULT
    const rightClient = options.clientId === undefined || claims?.appid === options.clientId
    if (!fresh || !forVault || !rightClient) {
      counts.refused++
      return json(401, { error: { code: "Unauthorized", message: "AKV10032: Invalid issuer, audience or client." } })
    }
    const url = new URL(request.url ?? "/", "https://vault")
    const name = /^\/secrets\/([^/]+)\/?[^/]*$/.exec(url.pathname)?.[1]
    const value = name === undefined ? undefined : options.secrets[name]
    if (name === undefined || value === undefined) {
      counts.missing++
      return json(404, { error: { code: "SecretNotFound", message: `A secret with (name/id) ${name} was not found.` } })
    }
    counts.served++
    const host = `https://${request.headers.host}`
    json(200, {
      value,
      id: `${host}/secrets/${name}/${versions.get(name)}`,
      attributes: { enabled: true, created: updated, updated, recoveryLevel: "Recoverable+Purgeable" }
    })
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `https://127.0.0.1:${port}`,
    ca: cert,
    counts,
    revokeSeenTokens: () => {
      for (const token of seen) revoked.add(token)
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      })
  }
}
