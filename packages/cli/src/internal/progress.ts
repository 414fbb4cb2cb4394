import type * as ManagedIdentity from "@managed-identity/core/ManagedIdentity"
import type { EndpointError } from "@managed-identity/core/ManagedIdentityError"
import { duration } from "./output.js"

const statusWords: Record<number, string> = {
  404: "not found — IMDS may be updating",
  408: "request timeout",
  410: "updating",
  429: "throttled",
  500: "server error",
  502: "bad gateway",
  503: "unavailable",
  504: "gateway timeout"
}

/** Why an attempt failed, in a few words. */
export const cause = (error: EndpointError): string => {
  if (error.status !== undefined) {
    return `${error.source} answered ${error.status}${statusWords[error.status] ? ` — ${statusWords[error.status]}` : ""}`
  }
  if (error._tag === "Transient") {
    switch (error.reason) {
      case "timeout":
        return `${error.source} did not answer in time`
      case "connection-reset":
        return `${error.source} reset the connection`
      default:
        return `${error.source}: ${error.reason}`
    }
  }
  return `${error.source}: ${error.message}`
}

/** `attempt 3/6, next in 6 s, IMDS answered 410 — updating` */
export const describeRetry = (event: ManagedIdentity.RetryEvent): string =>
  `attempt ${event.attempt}${event.maxAttempts === undefined ? "" : `/${event.maxAttempts}`}, next in ${duration(event.delayMs)}, ${cause(event.error)}`
