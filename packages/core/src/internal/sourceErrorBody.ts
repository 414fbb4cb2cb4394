/**
 * Reading the error an endpoint describes in its body. Every source words it differently:
 * IMDS and Entra send OAuth's `{ error, error_description }`, App Service sends
 * `{ statusCode, message, correlationId }`, ASP.NET endpoints `{ Message }`, ARM-style ones
 * `{ error: { code, message } }`. Values are scrubbed and shortened before anyone sees them.
 *
 * @internal
 */
import { quote } from "./sourceSecrets.js"

/**
 * What an error body says, ready to quote.
 *
 * @internal
 */
export interface ErrorDetails {
  readonly error?: string | undefined
  readonly description?: string | undefined
  readonly correlationId?: string | undefined
  /** The body was an HTML page (a proxy, a captive portal, a wrong endpoint). */
  readonly html: boolean
}

const isRecord = (u: unknown): u is Record<string, unknown> => typeof u === "object" && u !== null && !Array.isArray(u)

const text = (u: unknown): string | undefined => (typeof u === "string" && u.trim().length > 0 ? u : undefined)

/**
 * `JSON.parse` without exceptions.
 *
 * @internal
 */
export const parseJson = (body: string): { readonly ok: true; readonly value: unknown } | { readonly ok: false } => {
  try {
    return { ok: true, value: JSON.parse(body) }
  } catch {
    return { ok: false }
  }
}

/**
 * Whether a body (or its content type) says it is an HTML page.
 *
 * @internal
 */
export const isHtml = (body: string, contentType: string | undefined): boolean =>
  (contentType !== undefined && /\btext\/html\b/i.test(contentType)) || body.trimStart().startsWith("<")

/**
 * The error code, description and correlation id of an error body.
 *
 * @internal
 */
export const errorDetails = (
  body: string | undefined,
  contentType: string | undefined,
  secrets: ReadonlyArray<string>
): ErrorDetails => {
  if (body === undefined || body.trim().length === 0) return { html: false }
  if (isHtml(body, contentType)) return { html: true }
  const parsed = parseJson(body)
  if (!parsed.ok || !isRecord(parsed.value)) {
    return { html: false, description: quote(body, secrets, 160) }
  }
  const json = parsed.value
  let error: string | undefined
  let description: string | undefined
  if (isRecord(json.error)) {
    error = text(json.error.code)
    description = text(json.error.message)
  } else {
    error = text(json.error)
  }
  description ??= text(json.error_description) ?? text(json.message) ?? text(json.Message)
  const correlationId = text(json.correlation_id) ?? text(json.correlationId) ?? text(json.CorrelationId)
  return {
    html: false,
    error: error === undefined ? undefined : quote(error, secrets, 80),
    description: description === undefined ? undefined : quote(description, secrets, 300),
    correlationId: correlationId === undefined ? undefined : quote(correlationId, secrets, 100)
  }
}
