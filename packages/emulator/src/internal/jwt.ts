/**
 * RS256 JSON Web Tokens, encoded by hand over node:crypto so the emulator needs no JOSE library.
 */
import { createPublicKey, generateKeyPairSync, type KeyObject, randomBytes, sign, verify } from "node:crypto"
import type { PublicJwk } from "../Emulator.js"

export type { PublicJwk }

/** A key pair the emulator signs every token with. */
export interface SigningKey {
  readonly kid: string
  readonly privateKey: KeyObject
  readonly publicKey: KeyObject
  readonly jwk: PublicJwk
}

/** A JWT split into its parts; `header` and `payload` are parsed JSON objects. */
export interface DecodedJwt {
  readonly header: Record<string, unknown>
  readonly payload: Record<string, unknown>
  readonly signingInput: string
  readonly signature: Buffer
}

const base64url = (input: Buffer | string): string => Buffer.from(input).toString("base64url")

/** A fresh 2048-bit RSA key with a random key id. */
export const generateSigningKey = (): SigningKey => {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 })
  const kid = base64url(randomBytes(16))
  const exported = publicKey.export({ format: "jwk" })
  return {
    kid,
    privateKey,
    publicKey,
    jwk: { kty: "RSA", use: "sig", alg: "RS256", kid, n: String(exported.n), e: String(exported.e) }
  }
}

/** Signs `payload` as a compact RS256 JWT. */
export const signJwt = (key: SigningKey, payload: Record<string, unknown>): string => {
  const header = { typ: "JWT", alg: "RS256", kid: key.kid }
  const signingInput = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(payload))}`
  const signature = sign("sha256", Buffer.from(signingInput), key.privateKey)
  return `${signingInput}.${base64url(signature)}`
}

const parseJsonObject = (segment: string): Record<string, unknown> | undefined => {
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, "base64url").toString("utf8"))
    return typeof value === "object" && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined
  } catch {
    return undefined
  }
}

/** Splits and parses a compact JWT; `undefined` when it is not one. */
export const decodeJwt = (token: string): DecodedJwt | undefined => {
  const parts = token.split(".")
  if (parts.length !== 3) return undefined
  const [h, p, s] = parts as [string, string, string]
  if (!/^[A-Za-z0-9_-]+$/.test(h) || !/^[A-Za-z0-9_-]+$/.test(p) || !/^[A-Za-z0-9_-]*$/.test(s)) return undefined
  const header = parseJsonObject(h)
  const payload = parseJsonObject(p)
  if (header === undefined || payload === undefined) return undefined
  return { header, payload, signingInput: `${h}.${p}`, signature: Buffer.from(s, "base64url") }
}

/** Whether `decoded` carries a valid RS256 signature by `jwk`. */
export const verifyJwt = (decoded: DecodedJwt, jwk: PublicJwk): boolean => {
  if (decoded.header.alg !== "RS256") return false
  try {
    const key = createPublicKey({ key: { ...jwk }, format: "jwk" })
    return verify("sha256", Buffer.from(decoded.signingInput), key, decoded.signature)
  } catch {
    return false
  }
}
