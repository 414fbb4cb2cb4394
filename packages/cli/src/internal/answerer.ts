/**
 * Who most likely answered in a managed-identity endpoint's place, read from the evidence core's
 * classification keeps (status, `Server`, content type, body shape), never from the body's words.
 * `Diagnostics.explain` lists every possibility; this picks the one the evidence points to.
 */
import type { ManagedIdentityError } from "@managed-identity/core/ManagedIdentityError"

export const likelyAnswerer = (error: ManagedIdentityError): string | undefined => {
  if (error._tag !== "Unavailable" || error.reason !== "not-the-endpoint") return undefined
  const evidence = error.evidence ?? {}
  const status = evidence.status ?? error.status
  if (status !== undefined && status >= 300 && status <= 399) {
    return "A redirect: managed-identity endpoints never redirect, so a gateway or a captive portal in the path sent it."
  }
  if (status === 407) {
    return "A proxy that wants credentials (407): the request was intercepted on its way; the endpoint must be reached directly, never through a proxy."
  }
  if (evidence.server !== undefined) {
    return `The answer names its server: ${evidence.server}. That is a proxy or an appliance between this process and the ${error.source} endpoint, not the endpoint.`
  }
  if (error.source === "IMDS" && status === 403 && evidence.body === "text") {
    return "A 403 in plain text with no Server header is how Docker Desktop answers for 169.254.169.254 itself: inside a local container there is no IMDS."
  }
  return undefined
}
