/**
 * The token every source produces: `{ token, expiresOn, refreshOn, tokenType, resource }` with
 * times in epoch milliseconds. The token string never shows in `toString`, `JSON.stringify` or
 * `console.log` of the object, so a token logged by accident is redacted.
 *
 * @since 0.1.0
 */
import { NodeInspectSymbol } from "effect/Inspectable"

const REDACTED = "<redacted>"

/**
 * An access token from a managed-identity endpoint.
 *
 * @since 0.1.0
 * @category models
 * @example
 * ```ts
 * import { AccessToken } from "@managed-identity/core"
 *
 * const t = new AccessToken.AccessToken({
 *   token: "eyJ0eXAi...",
 *   expiresOn: Date.now() + 3_600_000,
 *   refreshOn: Date.now() + 3_300_000,
 *   tokenType: "Bearer",
 *   resource: "https://management.azure.com/"
 * })
 * console.log(String(t)) // token redacted
 * ```
 */
export class AccessToken {
  /** The bearer token itself. */
  readonly token: string
  /** When the token expires (epoch milliseconds). */
  readonly expiresOn: number
  /** When to start refreshing it in the background (epoch milliseconds, before `expiresOn`). */
  readonly refreshOn: number
  /** The token type, `Bearer` unless the endpoint says otherwise. */
  readonly tokenType: string
  /** The resource the token is for, as the endpoint reported it (or as requested). */
  readonly resource: string
  /**
   * When the token was issued (epoch milliseconds), from its `iat` claim when it is a JWT that says;
   * `undefined` otherwise. A token's permissions are those of when it was issued: its age answers
   * "why does it not have the role I just granted?".
   */
  readonly issuedOn: number | undefined

  constructor(fields: {
    readonly token: string
    readonly expiresOn: number
    readonly refreshOn: number
    readonly tokenType: string
    readonly resource: string
    readonly issuedOn?: number | undefined
  }) {
    this.token = fields.token
    this.expiresOn = fields.expiresOn
    this.refreshOn = fields.refreshOn
    this.tokenType = fields.tokenType
    this.resource = fields.resource
    this.issuedOn = fields.issuedOn
  }

  /** The token with its secret replaced, for logs. */
  toJSON(): unknown {
    return {
      _id: "AccessToken",
      token: REDACTED,
      expiresOn: new Date(this.expiresOn).toISOString(),
      refreshOn: new Date(this.refreshOn).toISOString(),
      ...(this.issuedOn === undefined ? {} : { issuedOn: new Date(this.issuedOn).toISOString() }),
      tokenType: this.tokenType,
      resource: this.resource
    }
  }

  toString(): string {
    return `AccessToken(${this.tokenType} for ${this.resource}, expires ${new Date(this.expiresOn).toISOString()})`
  }

  [NodeInspectSymbol](): unknown {
    return this.toJSON()
  }
}

/** Tokens of at least this lifetime refresh at half-life; shorter ones 5 minutes before expiry. */
const LONG_LIVED_MS = 2 * 60 * 60 * 1000
const REFRESH_BEFORE_EXPIRY_MS = 5 * 60 * 1000

/**
 * When to refresh a token, from the seed's rules: at `refresh_in` when the endpoint sends it;
 * otherwise at half the lifetime for tokens of 2 h or more; otherwise 5 minutes before expiry.
 * Never before `now` and never after `expiresOn`.
 *
 * @since 0.1.0
 * @category refresh
 * @example
 * ```ts
 * import { AccessToken } from "@managed-identity/core"
 *
 * const now = 0
 * AccessToken.refreshOnFor({ now, expiresOn: 24 * 3_600_000 }) // 12 h: half-life
 * AccessToken.refreshOnFor({ now, expiresOn: 3_600_000 })      // 55 min
 * AccessToken.refreshOnFor({ now, expiresOn: 3_600_000, refreshInMs: 1_800_000 }) // 30 min
 * ```
 */
export const refreshOnFor = (input: {
  readonly now: number
  readonly expiresOn: number
  readonly refreshInMs?: number | undefined
}): number => {
  const { now, expiresOn, refreshInMs } = input
  const lifetime = expiresOn - now
  let at: number
  if (refreshInMs !== undefined && Number.isFinite(refreshInMs) && refreshInMs > 0) at = now + refreshInMs
  else if (lifetime >= LONG_LIVED_MS) at = now + Math.floor(lifetime / 2)
  else at = expiresOn - REFRESH_BEFORE_EXPIRY_MS
  return Math.min(Math.max(at, now), expiresOn)
}

/**
 * Whether the token is still valid at `now` (strictly before `expiresOn`).
 *
 * @since 0.1.0
 * @category refresh
 * @example
 * ```ts
 * import { AccessToken } from "@managed-identity/core"
 *
 * declare const token: AccessToken.AccessToken
 * AccessToken.isValid(token, Date.now())
 * ```
 */
export const isValid = (token: AccessToken, now: number): boolean => now < token.expiresOn

/**
 * Whether the token is due for a background refresh at `now`.
 *
 * @since 0.1.0
 * @category refresh
 * @example
 * ```ts
 * import { AccessToken } from "@managed-identity/core"
 *
 * declare const token: AccessToken.AccessToken
 * AccessToken.needsRefresh(token, Date.now())
 * ```
 */
export const needsRefresh = (token: AccessToken, now: number): boolean => now >= token.refreshOn
