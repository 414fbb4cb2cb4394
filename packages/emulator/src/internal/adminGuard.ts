/**
 * Who may use the admin API: only a client on this machine that asked for this emulator by a
 * loopback name, never a web page. The emulator binds to 127.0.0.1, but a browser can still reach
 * it, in two ways this module closes:
 *
 * - DNS rebinding: a page on `attacker.example` re-points its name at 127.0.0.1 and then reads the
 *   admin API as its own origin. Its requests carry `Host: attacker.example`; only `127.0.0.1:<port>`
 *   and `localhost:<port>` are accepted (421 otherwise).
 * - Cross-origin requests: a page may send "simple" requests (`text/plain`, form posts) anywhere
 *   without a preflight, and sub-resource loads (`<img>`, `<script>`) without an `Origin`. A request
 *   with an `Origin` other than this emulator's own, or marked `Sec-Fetch-Site: cross-site` or
 *   `same-site`, is refused (403), and every state-changing call must be `Content-Type:
 *   application/json` (415 otherwise), which a page can only send after a preflight this emulator
 *   never grants: it sends no `Access-Control-Allow-*` header at all.
 *
 * The emulated endpoints are not guarded: Azure's endpoints do not check `Host` or `Origin`.
 */
import type { IncomingMessage } from "node:http"
import { json, type Reply } from "./replies.js"

/** Loopback names a client may use for the address the emulator binds; `[::1]` is not bound, so not listed. */
const loopbackNames = ["127.0.0.1", "localhost"]

const defaultPorts: Record<string, number> = { http: 80, https: 443 }

/** Methods that read only; every other method changes state and must send JSON. */
const readMethods = new Set(["GET", "HEAD", "OPTIONS"])

/** The `Host` values and origins that name one listening port. */
export interface AdminAuthority {
  readonly hosts: ReadonlySet<string>
  readonly origins: ReadonlySet<string>
}

/** The authority of the port `url` (`http://127.0.0.1:<port>` or the HTTPS one) listens on. */
export const authorityOf = (url: string): AdminAuthority => {
  const parsed = new URL(url)
  const scheme = parsed.protocol.slice(0, -1)
  const port = Number(parsed.port || defaultPorts[scheme])
  // A browser leaves the scheme's default port out of both Host and Origin.
  const hosts = loopbackNames.flatMap((name) =>
    port === defaultPorts[scheme] ? [`${name}:${port}`, name] : [`${name}:${port}`]
  )
  return { hosts: new Set(hosts), origins: new Set(hosts.map((host) => `${scheme}://${host}`)) }
}

/** Why a request was refused, for the reply and the log line. */
export interface Refusal {
  readonly reply: Reply
  /** One line, without secrets: the offending value only, cleaned of control characters. */
  readonly reason: string
}

/** A header value quoted for a message or log line: printable ASCII only, at most 100 characters. */
export const quote = (value: string): string => {
  const printable = value.replace(/[^\x20-\x7e]/g, "?")
  return JSON.stringify(printable.length > 100 ? `${printable.slice(0, 100)}…` : printable)
}

const refusal = (status: number, error: string, reason: string, advice: string): Refusal => ({
  reply: json(status, { error, message: `${reason}; ${advice}` }),
  reason
})

const headerCount = (request: IncomingMessage, name: string): number => {
  let count = 0
  for (let index = 0; index < request.rawHeaders.length; index += 2)
    if (request.rawHeaders[index]!.toLowerCase() === name) count++
  return count
}

/** `Content-Type`'s media type, without parameters, lower case. */
const mediaType = (request: IncomingMessage): string =>
  (request.headers["content-type"] ?? "").split(";")[0]!.trim().toLowerCase()

/**
 * Refuses an admin request that does not come from a client on this machine addressing this
 * emulator by a loopback name, or that a browser page could have sent; `undefined` lets it through.
 * Checks run in order: `Host` (421), `Origin` and `Sec-Fetch-Site` (403), content type (415).
 */
export const checkAdminRequest = (authority: AdminAuthority, request: IncomingMessage): Refusal | undefined => {
  const expected = [...authority.hosts].filter((host) => host.includes(":")).join(" or ")
  const host = request.headers.host
  // HTTP/1.1 requires Host and Node refuses a request without it; HTTP/1.0 does not, and a client that
  // omits it has not said which server it meant, so it is refused too.
  if (host === undefined || headerCount(request, "host") !== 1)
    return refusal(421, "misdirected_request", "The admin API needs exactly one Host header", `send Host: ${expected}`)
  if (!authority.hosts.has(host.toLowerCase()))
    return refusal(
      421,
      "misdirected_request",
      `Host ${quote(host)} does not name this emulator (a DNS-rebinding page would send its own name)`,
      `the admin API answers ${expected} only`
    )
  const origin = request.headers.origin
  if (origin !== undefined && !authority.origins.has(origin.toLowerCase()))
    return refusal(
      403,
      "forbidden_origin",
      `Origin ${quote(origin)} may not use the admin API (web pages may not script the emulator)`,
      "call it from a program, which sends no Origin"
    )
  const site = request.headers["sec-fetch-site"]?.toLowerCase()
  if (site === "cross-site" || site === "same-site")
    return refusal(
      403,
      "forbidden_origin",
      `A request a ${site} page made (Sec-Fetch-Site: ${site}) may not use the admin API`,
      "call it from a program"
    )
  const method = request.method ?? "GET"
  if (!readMethods.has(method) && mediaType(request) !== "application/json")
    return refusal(
      415,
      "unsupported_media_type",
      `${method} needs Content-Type: application/json, got ${request.headers["content-type"] === undefined ? "none" : quote(request.headers["content-type"])}`,
      "send a JSON body (and the header even when there is no body)"
    )
  return undefined
}
