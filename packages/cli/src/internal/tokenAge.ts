/**
 * How old a token is, and what that means: a token carries the permissions its identity had when
 * it was issued, so "why does it not have the role I just granted?" is answered by its age and by
 * when it will be replaced.
 */
import type { AccessToken } from "@managed-identity/core/AccessToken"
import { duration, instant } from "./output.js"

/**
 * When the token was issued (epoch ms): core's `issuedOn` (the token's `iat`), else the `iat` of
 * the claims the CLI decoded; `undefined` when the token does not say (an opaque token).
 */
export const issuedOnOf = (token: AccessToken, claims: Record<string, unknown> | undefined): number | undefined => {
  if (token.issuedOn !== undefined) return token.issuedOn
  const iat = claims?.iat
  return typeof iat === "number" && Number.isFinite(iat) ? iat * 1000 : undefined
}

// `iat` counts whole seconds: no finer age than that is known.
const age = (ms: number): string => (ms < 120_000 ? `${Math.round(ms / 1000)} s` : duration(ms))

/** `12 min ago`; a token "issued" in the future says whose clock is behind. */
export const ageWords = (issuedOn: number, now: number): string =>
  issuedOn > now
    ? `${age(issuedOn - now)} in the future (this machine's clock is behind the token issuer's)`
    : now - issuedOn < 1000
      ? "less than a second ago"
      : `${age(now - issuedOn)} ago`

/** `12 min ago (2026-12-04T18:40:00Z)`, or that the token does not say. */
export const issuedWords = (issuedOn: number | undefined, now: number): string =>
  issuedOn === undefined
    ? "unknown (the token carries no iat claim)"
    : `${ageWords(issuedOn, now)} (${instant(issuedOn)})`

/** `in 11.9 h` / `3 s ago`. */
export const fromNow = (at: number, now: number): string =>
  at >= now ? `in ${duration(at - now)}` : `${duration(now - at)} ago`

/** What the age means, in one line, with when the token is replaced. */
export const permissionsLine = (refreshOn: number, now: number): string =>
  `A token carries the permissions of when it was issued: a role granted since then appears after the next refresh (${instant(refreshOn)}, ${fromNow(refreshOn, now)}).`

/** The JSON fields: `issuedOn` (ISO 8601) and `ageSeconds`, both `null` when the token does not say. */
export const ageJson = (
  issuedOn: number | undefined,
  now: number
): { readonly issuedOn: string | null; readonly ageSeconds: number | null } => ({
  issuedOn: issuedOn === undefined ? null : new Date(issuedOn).toISOString(),
  ageSeconds: issuedOn === undefined ? null : Math.round((now - issuedOn) / 1000)
})
