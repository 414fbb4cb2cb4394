/**
 * Responses as each Azure endpoint family shapes them: IMDS-style `{error, error_description}`
 * (IMDS, Arc, Cloud Shell), App Service's `{statusCode, message, correlationId}` (App Service,
 * Azure ML), Service Fabric's `{error: {code, message, correlationId}}`, and Entra's AADSTS errors.
 */
import { randomUUID } from "node:crypto"
import { STATUS_CODES, type ServerResponse } from "node:http"
import type { EndpointName } from "../Fault.js"

/** A complete response, ready to write. */
export interface Reply {
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
}

/** Writes `reply` as the whole response. */
export const writeReply = (response: ServerResponse, reply: Reply): void => {
  // A 204 has no body and so no Content-Length (RFC 9110, 8.6).
  const length = reply.status === 204 ? {} : { "content-length": Buffer.byteLength(reply.body) }
  response.writeHead(reply.status, { ...reply.headers, ...length })
  response.end(reply.status === 204 ? undefined : reply.body)
}

/** A JSON response with Azure's content type. */
export const json = (status: number, value: unknown, headers: Record<string, string> = {}): Reply => ({
  status,
  headers: { "content-type": "application/json; charset=utf-8", ...headers },
  body: JSON.stringify(value)
})

/** The family whose error shape an endpoint uses. */
export type Family = "imds" | "appservice" | "servicefabric" | "entra"

export const familyOf = (endpoint: EndpointName | "unknown"): Family => {
  switch (endpoint) {
    case "appservice":
    case "azureml":
      return "appservice"
    case "servicefabric":
      return "servicefabric"
    case "entra":
    case "discovery":
      return "entra"
    default:
      return "imds"
  }
}

/** An IMDS-style error (`bad_request_102`, `invalid_request`, `invalid_resource`, ...). */
export const imdsError = (status: number, error: string, description: string, headers?: Record<string, string>) =>
  json(status, { error, error_description: description }, headers)

/** An App Service-style error, with the correlation id App Service also sends as a header. */
export const appServiceError = (status: number, message: string, headers: Record<string, string> = {}): Reply => {
  const correlationId = randomUUID()
  return json(status, { statusCode: status, message, correlationId }, { "x-correlation-id": correlationId, ...headers })
}

/** A Service Fabric-style error (`SecretHeaderNotFound`, `InvalidApiVersion`, ...). */
export const serviceFabricError = (status: number, code: string, message: string, headers?: Record<string, string>) =>
  json(status, { error: { correlationId: randomUUID(), code, message } }, headers)

/** An Entra (AADSTS) error, with the trace/correlation ids and timestamp Entra appends. */
export const entraError = (
  status: number,
  error: string,
  code: number,
  message: string,
  now: number,
  headers: Record<string, string> = {}
): Reply => {
  const traceId = randomUUID()
  const correlationId = randomUUID()
  const timestamp = new Date(now)
    .toISOString()
    .replace("T", " ")
    .replace(/\.\d+Z$/, "Z")
  return json(
    status,
    {
      error,
      error_description: `AADSTS${code}: ${message}\r\nTrace ID: ${traceId}\r\nCorrelation ID: ${correlationId}\r\nTimestamp: ${timestamp}`,
      error_codes: [code],
      timestamp,
      trace_id: traceId,
      correlation_id: correlationId,
      error_uri: `https://login.microsoftonline.com/error?code=${code}`
    },
    { "x-ms-request-id": traceId, ...headers }
  )
}

const imdsFaultErrors: Record<number, readonly [string, string]> = {
  400: ["invalid_request", "Bad request"],
  404: ["not_found", "The managed identity endpoint is not available yet; it may be updating"],
  410: ["gone", "IMDS is undergoing updates and will be available within 70 seconds"],
  429: ["too_many_requests", "Too many requests; the IMDS throttling limit has been reached"],
  500: [
    "unknown",
    "Failed to retrieve token from the Active directory. For details see logs in /var/log/azure/imds.log"
  ],
  503: ["service_unavailable", "The managed identity endpoint is temporarily unavailable"]
}

/** The error body a fault answers with `status`, shaped like the endpoint's own errors. */
export const faultReply = (
  endpoint: EndpointName | "unknown",
  status: number,
  now: number,
  retryAfterSeconds: number | undefined
): Reply => {
  const retryAfter = retryAfterSeconds ?? (status === 429 ? 1 : undefined)
  const headers: Record<string, string> = retryAfter === undefined ? {} : { "retry-after": String(retryAfter) }
  const reason = STATUS_CODES[status] ?? "Error"
  switch (familyOf(endpoint)) {
    case "appservice":
      return appServiceError(status, status === 429 ? "Too many requests" : reason, headers)
    case "servicefabric":
      return serviceFabricError(status, reason.replace(/\W+/g, ""), reason, headers)
    case "entra":
      return status === 429
        ? entraError(status, "temporarily_unavailable", 50196, "The server is throttling this client.", now, headers)
        : entraError(
            status,
            status >= 500 ? "temporarily_unavailable" : "invalid_request",
            90033,
            "A transient error has occurred. Please try again.",
            now,
            headers
          )
    case "imds": {
      const [error, description] = imdsFaultErrors[status] ?? [reason.toLowerCase().replace(/\W+/g, "_"), reason]
      return imdsError(status, error, description, headers)
    }
  }
}

/** An HTML error page, as a gateway or a web server in front of an endpoint would send. */
export const htmlReply = (status: number): Reply => {
  const reason = STATUS_CODES[status] ?? "Error"
  return {
    status,
    headers: { "content-type": "text/html" },
    body: `<!DOCTYPE html>\n<html><head><title>${status} - ${reason}</title></head>\n<body><h1>${status} - ${reason}</h1><p>The web server received an invalid response while acting as a gateway or proxy server.</p></body></html>\n`
  }
}

const pad = (value: number): string => String(value).padStart(2, "0")

/**
 * `expires_on` as legacy App Service (2017-09-01) sends it: `MM/DD/YYYY hh:mm:ss AM +00:00`, in UTC.
 */
export const legacyExpiresOn = (epochSeconds: number): string => {
  const date = new Date(epochSeconds * 1000)
  const hours = date.getUTCHours()
  const hour12 = hours % 12 === 0 ? 12 : hours % 12
  return `${pad(date.getUTCMonth() + 1)}/${pad(date.getUTCDate())}/${date.getUTCFullYear()} ${pad(hour12)}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} ${hours < 12 ? "AM" : "PM"} +00:00`
}
