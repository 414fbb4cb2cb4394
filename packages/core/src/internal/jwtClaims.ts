/**
 * Reading the claims of an access token, when it is a JWT: to check that it is the identity that
 * was asked for, and to know when it was issued. Nothing is verified here (the resource verifies
 * the signature); a token that is not a JWT, or whose payload is not a JSON object, has no claims.
 *
 * @internal
 */

const base64url = /^[A-Za-z0-9_-]+$/
const decoder = /* @__PURE__ */ new TextDecoder()

/**
 * The claims of a JWS-compact token (`header.payload.signature`), or `undefined`.
 *
 * @internal
 */
export const claimsOf = (token: string): Readonly<Record<string, unknown>> | undefined => {
  const parts = token.split(".")
  const payload = parts[1]
  if (parts.length !== 3 || payload === undefined || payload.length > 16_384 || !base64url.test(payload)) {
    return undefined
  }
  try {
    const binary = atob(payload.replace(/-/g, "+").replace(/_/g, "/"))
    const bytes = new Uint8Array(binary.length)
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i)
    const value: unknown = JSON.parse(decoder.decode(bytes))
    return typeof value === "object" && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined
  } catch {
    return undefined
  }
}

/**
 * A claim that is a string, or `undefined`.
 *
 * @internal
 */
export const text = (claims: Readonly<Record<string, unknown>> | undefined, name: string): string | undefined => {
  const value = claims?.[name]
  return typeof value === "string" && value.length > 0 ? value : undefined
}

/**
 * A NumericDate claim (`iat`, `exp`, ...) in epoch milliseconds, or `undefined`.
 *
 * @internal
 */
export const time = (claims: Readonly<Record<string, unknown>> | undefined, name: string): number | undefined => {
  const value = claims?.[name]
  return typeof value === "number" && Number.isFinite(value) && value > 0 && value < 8.64e12 ? value * 1000 : undefined
}
