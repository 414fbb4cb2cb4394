/**
 * Decodes a JWT's claims for display. The token itself is never printed unless asked for;
 * its claims (audience, identity ids, expiry) are what an operator needs to check.
 */
export const decodeClaims = (token: string): Record<string, unknown> | undefined => {
  const parts = token.split(".")
  if (parts.length !== 3 || parts[1] === undefined) return undefined
  try {
    const json = Buffer.from(parts[1], "base64url").toString("utf8")
    const claims = JSON.parse(json) as unknown
    return claims !== null && typeof claims === "object" && !Array.isArray(claims)
      ? (claims as Record<string, unknown>)
      : undefined
  } catch {
    return undefined
  }
}

/** The claims worth showing, in a stable order. */
export const shownClaims = [
  "aud",
  "iss",
  "tid",
  "oid",
  "appid",
  "azp",
  "sub",
  "xms_mirid",
  "iat",
  "nbf",
  "exp"
] as const
