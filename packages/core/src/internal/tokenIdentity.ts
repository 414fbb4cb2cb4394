/**
 * Whether a token is the identity that was asked for. No SDK checks it, yet an endpoint (or
 * whatever answers in its place) that hands out another identity's token grants another identity's
 * permissions. When a user-assigned identity was requested and the token is a JWT that names its
 * identity, the names must match: client id ↔ `appid` / `azp`, object id ↔ `oid`, resource id ↔
 * `xms_mirid`, without regard to case (GUIDs and ARM ids are case-insensitive). The audience is not
 * judged: its form varies by resource. Opaque tokens and tokens without the claim pass.
 *
 * @internal
 */
import type { AccessToken } from "../AccessToken.js"
import type { Identity } from "../Identity.js"
import { InvalidResponse } from "../ManagedIdentityError.js"
import type { Source } from "../Source.js"
import { claimsOf, text } from "./jwtClaims.js"

const claimsFor: Record<Exclude<Identity["_tag"], "SystemAssigned">, ReadonlyArray<string>> = {
  ClientId: ["appid", "azp"],
  ObjectId: ["oid"],
  ResourceId: ["xms_mirid"]
}

const words: Record<Exclude<Identity["_tag"], "SystemAssigned">, string> = {
  ClientId: "client id",
  ObjectId: "object id",
  ResourceId: "resource id"
}

/**
 * A sentence naming both ids when the token is for another identity; `undefined` when it matches
 * or cannot be told.
 *
 * @internal
 */
export const mismatch = (identity: Identity, token: AccessToken): string | undefined => {
  if (identity._tag === "SystemAssigned") return undefined
  const claims = claimsOf(token.token)
  if (claims === undefined) return undefined
  const asked = identity.id.toLowerCase()
  for (const name of claimsFor[identity._tag]) {
    const said = text(claims, name)
    if (said === undefined) continue
    if (said.toLowerCase() === asked) return undefined
    return `asked for the identity with ${words[identity._tag]} ${identity.id}, but the token's ${name} is ${said}`
  }
  return undefined
}

/**
 * The error for a token that is not the identity asked for (`verify` off: never), as both drivers
 * report it.
 *
 * @internal
 */
export const wrongIdentity = (
  source: Pick<Source, "name" | "endpoint">,
  identity: Identity,
  token: AccessToken,
  verify: boolean
): InvalidResponse | undefined => {
  const wrong = verify ? mismatch(identity, token) : undefined
  return wrong === undefined
    ? undefined
    : new InvalidResponse({
        source: source.name,
        reason: "wrong-identity",
        message: `${source.name} answered with a token for another identity: ${wrong}`,
        attempts: 1,
        elapsedMs: 0,
        endpoint: source.endpoint
      })
}
