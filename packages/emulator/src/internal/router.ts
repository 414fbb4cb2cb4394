/**
 * Which handler answers a request: a path maps to a route (a source's token endpoint, Entra's
 * token endpoint, a discovery document, the admin API, or nothing), and a route to the protocol
 * function that computes the endpoint's normal reply.
 */
import type { IncomingHttpHeaders } from "node:http"
import type { EndpointName } from "../Fault.js"
import * as Entra from "./entra.js"
import * as Protocols from "./protocols.js"
import { imdsError, json } from "./replies.js"

/** A source's own token endpoint. */
export type TokenEndpoint = Exclude<EndpointName, "entra" | "discovery">

export type Route =
  | { readonly kind: "endpoint"; readonly endpoint: TokenEndpoint }
  | { readonly kind: "entra"; readonly tenant: string }
  | {
      readonly kind: "discovery"
      readonly document: "jwks" | "openid" | "instance" | "issuer"
      readonly tenant: string
    }
  | { readonly kind: "admin"; readonly path: ReadonlyArray<string> }
  | { readonly kind: "unknown" }

const tokenPaths: Record<string, TokenEndpoint> = {
  "/metadata/identity/oauth2/token": "imds",
  "/appservice/msi/token": "appservice",
  "/azureml/msi/token": "azureml",
  "/cloudshell/oauth2/token": "cloudshell",
  "/arc/metadata/identity/oauth2/token": "arc",
  "/servicefabric/metadata/identity/oauth2/token": "servicefabric"
}

/** Maps a path to its route; fixed paths match case-insensitively and with or without a trailing slash. */
export const route = (pathname: string): Route => {
  const trimmed = pathname.length > 1 && pathname.endsWith("/") ? pathname.slice(0, -1) : pathname
  const lower = trimmed.toLowerCase()
  const endpoint = tokenPaths[lower]
  if (endpoint !== undefined) return { kind: "endpoint", endpoint }
  const segments = trimmed.split("/").slice(1)
  if (segments[0]?.toLowerCase() === "admin") return { kind: "admin", path: segments.slice(1) }
  if (lower === "/.well-known/jwks.json" || lower === "/discovery/keys" || lower === "/oidc/keys")
    return { kind: "discovery", document: "jwks", tenant: "common" }
  if (lower === "/oidc/.well-known/openid-configuration") return { kind: "discovery", document: "issuer", tenant: "" }
  const [tenant, ...rest] = segments
  if (tenant === undefined || tenant === "") return { kind: "unknown" }
  const tail = rest.join("/").toLowerCase()
  if (tail === "oauth2/v2.0/token") return { kind: "entra", tenant }
  if (tail === "discovery/keys" || tail === "discovery/v2.0/keys")
    return { kind: "discovery", document: "jwks", tenant }
  if (tail === "v2.0/.well-known/openid-configuration" || tail === ".well-known/openid-configuration")
    return { kind: "discovery", document: "openid", tenant }
  if (tail === "discovery/instance") return { kind: "discovery", document: "instance", tenant }
  return { kind: "unknown" }
}

/** The endpoint a route's requests are logged and faulted under. */
export const endpointOf = (r: Route): EndpointName | "unknown" =>
  r.kind === "endpoint" ? r.endpoint : r.kind === "entra" ? "entra" : r.kind === "discovery" ? "discovery" : "unknown"

/** What the endpoints need from the running emulator. */
export interface EndpointContexts {
  readonly protocols: Protocols.ProtocolContext
  readonly entra: Entra.EntraContext
}

/** A request to an emulated endpoint. */
export interface RoutedRequest {
  readonly method: string
  readonly pathname: string
  readonly query: URLSearchParams
  readonly headers: IncomingHttpHeaders
  /** The `application/x-www-form-urlencoded` body, empty when there is none. */
  readonly form: URLSearchParams
  /** The origin the request arrived at (`http://127.0.0.1:<port>` or the HTTPS one), for discovery documents. */
  readonly base: string
}

const tokenEndpoints: Record<
  TokenEndpoint,
  (context: Protocols.ProtocolContext, request: Protocols.ProtocolRequest) => Protocols.Outcome
> = {
  imds: Protocols.imds,
  arc: Protocols.arc,
  cloudshell: Protocols.cloudShell,
  appservice: Protocols.appService,
  azureml: Protocols.azureMl,
  servicefabric: Protocols.serviceFabric
}

/** The normal reply of the endpoint at `r` (a fault may replace it), and the identity a token went to. */
export const normalReply = (contexts: EndpointContexts, r: Route, request: RoutedRequest): Protocols.Outcome => {
  const { method, query, headers, form, base } = request
  switch (r.kind) {
    case "endpoint":
      return tokenEndpoints[r.endpoint](contexts.protocols, { method, query, headers, form })
    case "entra":
      return Entra.token(contexts.entra, r.tenant, method, form)
    case "discovery":
      switch (r.document) {
        case "jwks":
          return { reply: json(200, Entra.jwks(contexts.entra.key.jwk)) }
        case "openid":
          return { reply: json(200, Entra.openIdConfiguration(contexts.entra, base, r.tenant)) }
        case "instance":
          return { reply: json(200, Entra.instanceDiscovery(base, r.tenant)) }
        case "issuer":
          return { reply: json(200, Entra.issuerConfiguration(contexts.entra)) }
      }
      break
    default:
      break
  }
  return { reply: imdsError(404, "not_found", `No emulated endpoint at ${request.pathname}`) }
}
