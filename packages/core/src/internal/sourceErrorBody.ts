/**
 * Reading the error an endpoint describes in its body, and what the body itself is evidence of.
 * Every managed-identity endpoint answers errors in JSON, each worded its own way: IMDS and Entra
 * OAuth's `{ error, error_description }`, App Service `{ statusCode, message, correlationId }`,
 * ASP.NET endpoints `{ Message }`, ARM-style ones `{ error: { code, message } }`. A body that is
 * none of these (an HTML page, plain text) was written by something else: a proxy, an appliance,
 * Docker Desktop answering for 169.254.169.254. Values are scrubbed before anyone sees them.
 *
 * @internal
 */
import { quote, quoteWhole } from "./sourceSecrets.js"

/**
 * What a body is: the endpoint's own JSON error, other JSON, an HTML page, plain text, or nothing.
 *
 * @internal
 */
export type BodyShape = "empty" | "endpoint-error" | "json" | "html" | "text"

/**
 * What an error body says, ready to quote.
 *
 * @internal
 */
export interface ErrorDetails {
  readonly shape: BodyShape
  readonly error?: string | undefined
  readonly description?: string | undefined
  readonly correlationId?: string | undefined
  /** Entra's numeric error codes (`error_codes`: `[700024]` for an expired client assertion). */
  readonly codes?: ReadonlyArray<number> | undefined
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
 * The shape of a body, the error code, description and correlation id it holds. The description
 * of a body that is not the endpoint's is quoted whole (its tail often says why: Docker Desktop's
 * "... connectex: A socket operation was attempted to an unreachable network.").
 *
 * @internal
 */
export const errorDetails = (
  body: string | undefined,
  contentType: string | undefined,
  secrets: ReadonlyArray<string>
): ErrorDetails => {
  if (body === undefined || body.trim().length === 0) return { shape: "empty" }
  if (isHtml(body, contentType)) return { shape: "html" }
  const parsed = parseJson(body)
  if (!parsed.ok || !isRecord(parsed.value)) {
    return { shape: parsed.ok ? "json" : "text", description: quoteWhole(body, secrets) }
  }
  const json = parsed.value
  const nested = isRecord(json.error) ? json.error : undefined
  const error = nested === undefined ? text(json.error) : text(nested.code)
  const description = text(nested?.message) ?? text(json.error_description) ?? text(json.message) ?? text(json.Message)
  const correlationId =
    text(json.correlation_id) ?? text(json.correlationId) ?? text(json.CorrelationId) ?? text(nested?.correlationId)
  const endpointShaped = error !== undefined || description !== undefined
  const codes = Array.isArray(json.error_codes)
    ? json.error_codes.filter((code): code is number => typeof code === "number" && Number.isInteger(code)).slice(0, 8)
    : undefined
  return {
    shape: endpointShaped ? "endpoint-error" : "json",
    error: error === undefined ? undefined : quote(error, secrets, 80),
    description: description === undefined ? undefined : quoteWhole(description, secrets),
    correlationId: correlationId === undefined ? undefined : quote(correlationId, secrets, 100),
    ...(codes === undefined || codes.length === 0 ? {} : { codes })
  }
}
