/**
 * Keeping secrets out of text we show people: error messages quote endpoint bodies, endpoint
 * URLs and exception messages, and any of those can carry a token, a secret header value or a
 * client assertion. Everything quoted goes through `scrub` first.
 *
 * @internal
 */

import { strip } from "../DisplayText.js"

const REDACTED = "<redacted>"

// JSON fields whose value is a credential, wherever they appear in a body.
const secretJsonField =
  /("(?:access_token|refresh_token|id_token|client_assertion|client_secret)"\s*:\s*)"(?:[^"\\]|\\.)*"/gi
// The same fields in a form body or query string.
const secretFormField = /\b(access_token|refresh_token|id_token|client_assertion|client_secret)=[^&\s"']*/gi
// A JWT (header `{"…` base64url-encoded always starts with `eyJ`), with or without its other parts.
const jwtLike = /eyJ[A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]*){0,4}/g
// A long run of base64/base64url/hex characters: keys, assertions, opaque tokens.
const longOpaqueRun = /[A-Za-z0-9+/_=-]{40,}/g
// An ARM resource id or URL path is a long run too, but every segment is short; keep those.
const looksLikePath = (run: string): boolean =>
  run.includes("/") && run.split("/").every((segment) => segment.length <= 36)

// `scheme://user:password@host`: everything between `//` and the last `@` of the authority.
const urlUserinfo = /\b([a-z][a-z0-9+.-]*:\/\/)[^/\s?#]*@/gi
// `user:password@host` anywhere else: after no scheme, a broken one (`http:/`), or a slash.
const bareUserinfo = /(^|[\s"'(<=,;/\\])[^\s/\\?#@"'<>]*:[^\s/\\?#"'<>]*@/g

/**
 * Removes the user name and password of every URL in a text, including from strings that do not
 * parse as URLs (`user:secret@127.0.0.1:8080/token`): an endpoint variable may carry credentials,
 * and no message, log or span may repeat them.
 *
 * @internal
 */
export const stripCredentials = (text: string): string => text.replace(urlUserinfo, "$1").replace(bareUserinfo, "$1")

/**
 * Replaces every known secret and everything that looks like a credential with `<redacted>`.
 *
 * @internal
 */
export const scrub = (text: string, secrets: ReadonlyArray<string> = []): string => {
  let out = stripCredentials(text)
  for (const secret of secrets) {
    // Very short "secrets" would redact ordinary words; real secret values are long.
    if (secret.length < 4) continue
    out = out.split(secret).join(REDACTED)
    const encoded = encodeURIComponent(secret)
    if (encoded !== secret) out = out.split(encoded).join(REDACTED)
  }
  return out
    .replace(secretJsonField, `$1"${REDACTED}"`)
    .replace(secretFormField, `$1=${REDACTED}`)
    .replace(jwtLike, REDACTED)
    .replace(longOpaqueRun, (run) => (looksLikePath(run) ? run : REDACTED))
}

/**
 * Scrubs, collapses whitespace, drops control, bidi and invisible characters (`DisplayText`'s
 * set) and shortens text for a one-line quote.
 *
 * @internal
 */
export const quote = (text: string, secrets: ReadonlyArray<string> = [], maxLength = 200): string => {
  const oneLine = strip(scrub(text, secrets), " ").replace(/\s+/g, " ").trim()
  return oneLine.length > maxLength ? `${oneLine.slice(0, maxLength - 3).trimEnd()}...` : oneLine
}

/**
 * `quote` for what explains a failure (an endpoint's error description, a body written by
 * something else): up to 1000 characters; a longer text keeps its beginning and its end, where
 * the reason usually is, and says how much was left out.
 *
 * @internal
 */
export const quoteWhole = (text: string, secrets: ReadonlyArray<string> = []): string => {
  const oneLine = quote(text, secrets, Number.POSITIVE_INFINITY)
  if (oneLine.length <= 1000) return oneLine
  return `${oneLine.slice(0, 300).trimEnd()} [... ${oneLine.length - 900} characters ...] ${oneLine.slice(-600).trimStart()}`
}

/**
 * An endpoint safe to print: scheme, host and path, never the query string or fragment (the
 * query carries the resource and identity ids today, and could carry anything tomorrow).
 *
 * @internal
 */
export const stripQuery = (url: string): string => {
  const parsed = safeUrl(url)
  if (parsed !== undefined && parsed.origin !== "null") {
    return `${parsed.origin}${parsed.pathname}`
  }
  const cut = url.search(/[?#]/)
  return stripCredentials(cut === -1 ? url : url.slice(0, cut))
}

/**
 * Removes the query string of every URL inside a free text (exception messages quote the
 * request URL).
 *
 * @internal
 */
export const stripQueries = (text: string): string =>
  stripCredentials(text).replace(/\b([a-z][a-z0-9+.-]*:\/\/[^\s?#"'()<>]*)[?#][^\s"'()<>]*/gi, "$1")

/**
 * `new URL` without exceptions.
 *
 * @internal
 */
export const safeUrl = (input: string, base?: string | URL): URL | undefined => {
  try {
    return base === undefined ? new URL(input) : new URL(input, base)
  } catch {
    return undefined
  }
}
