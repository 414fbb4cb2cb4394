/**
 * Access tokens shaped like the ones Entra issues to managed identities (v1 app-only tokens),
 * signed with the emulator's key so a resource server can verify them against its JWKS.
 */
import { randomBytes, randomUUID } from "node:crypto"
import type { ManagedIdentity } from "../Emulator.js"
import { type SigningKey, signJwt } from "./jwt.js"

/** A signed token and its times, in epoch seconds. */
export interface IssuedToken {
  readonly accessToken: string
  readonly issuedAt: number
  readonly notBefore: number
  readonly expiresOn: number
  readonly expiresIn: number
}

export interface TokenSettings {
  readonly key: SigningKey
  readonly tenantId: string
  readonly lifetimeSeconds: number
  readonly now: () => number
}

/** The issuer of managed-identity tokens in a tenant (Entra's v1 issuer). */
export const tokenIssuer = (tenantId: string): string => `https://sts.windows.net/${tenantId}/`

/** Issues an app-only token for `identity` with audience `audience`. */
export const issueToken = (settings: TokenSettings, identity: ManagedIdentity, audience: string): IssuedToken => {
  const issuedAt = Math.floor(settings.now() / 1000)
  const expiresOn = issuedAt + settings.lifetimeSeconds
  const issuer = tokenIssuer(settings.tenantId)
  const accessToken = signJwt(settings.key, {
    aud: audience,
    iss: issuer,
    iat: issuedAt,
    nbf: issuedAt,
    exp: expiresOn,
    aio: randomBytes(24).toString("base64url"),
    appid: identity.clientId,
    appidacr: "2",
    azp: identity.clientId,
    idp: issuer,
    idtyp: "app",
    oid: identity.objectId,
    rh: `0.${randomBytes(24).toString("base64url")}.`,
    sub: identity.objectId,
    tid: settings.tenantId,
    uti: randomBytes(16).toString("base64url"),
    ver: "1.0",
    xms_mirid: identity.resourceId,
    jti: randomUUID()
  })
  return { accessToken, issuedAt, notBefore: issuedAt, expiresOn, expiresIn: settings.lifetimeSeconds }
}
