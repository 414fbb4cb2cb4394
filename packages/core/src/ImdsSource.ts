/**
 * The Azure Instance Metadata Service (IMDS): the default source on VMs, scale sets and AKS
 * nodes. `GET http://169.254.169.254/metadata/identity/oauth2/token?api-version=2018-02-01&resource=…`
 * with `Metadata: true` (an SSRF guard: the endpoint refuses requests without it). A
 * user-assigned identity is selected with `client_id`, `object_id` or `msi_res_id`.
 * `AZURE_POD_IDENTITY_AUTHORITY_HOST` (AAD Pod Identity) replaces the host.
 *
 * @since 0.1.0
 */
import * as Either from "effect/Either"
import type { Variables } from "./Environment.js"
import * as HttpRequest from "./HttpRequest.js"
import type { Identity } from "./Identity.js"
import type { InvalidArgument, Unavailable } from "./ManagedIdentityError.js"
import type { Resource } from "./Resource.js"
import * as RetryPolicy from "./internal/retryPolicy.js"
import type { Descriptor, IdentitySupport, Source, Variable } from "./Source.js"
import * as Endpoint from "./internal/endpoint.js"
import { identityParameter, tokenUrl, oneRequestSource } from "./internal/protocol.js"

/**
 * The IMDS token endpoint.
 *
 * @since 0.1.0
 * @category constants
 */
export const DEFAULT_ENDPOINT = "http://169.254.169.254/metadata/identity/oauth2/token"

/**
 * The API version sent (the documentation's: "use 2018-02-01 or later").
 *
 * @since 0.1.0
 * @category constants
 */
export const API_VERSION = "2018-02-01"

const TOKEN_PATH = "/metadata/identity/oauth2/token"

/**
 * `AZURE_POD_IDENTITY_AUTHORITY_HOST`: AAD Pod Identity's replacement for IMDS's host.
 *
 * @since 0.1.0
 * @category variables
 */
export const AZURE_POD_IDENTITY_AUTHORITY_HOST: Variable = { name: "AZURE_POD_IDENTITY_AUTHORITY_HOST", secret: false }

/**
 * Where IMDS is.
 *
 * @since 0.1.0
 * @category models
 */
export interface Config {
  /** The token endpoint (scheme, host, path). */
  readonly endpoint: URL
}

/**
 * The configuration from the environment: the default endpoint, or
 * `AZURE_POD_IDENTITY_AUTHORITY_HOST` + `/metadata/identity/oauth2/token`.
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import * as Either from "effect/Either"
 * import { ImdsSource } from "@managed-identity/core"
 *
 * const config = Either.getOrThrow(ImdsSource.fromVariables({ AZURE_POD_IDENTITY_AUTHORITY_HOST: "http://127.0.0.1:8080" }))
 * console.log(config.endpoint.href) // http://127.0.0.1:8080/metadata/identity/oauth2/token
 * ```
 */
export const fromVariables = (variables: Variables): Either.Either<Config, InvalidArgument> => {
  const host = variables[AZURE_POD_IDENTITY_AUTHORITY_HOST.name]
  if (host === undefined || host.trim() === "") return Either.right({ endpoint: new URL(DEFAULT_ENDPOINT) })
  return Either.map(Endpoint.fromVariable(AZURE_POD_IDENTITY_AUTHORITY_HOST.name, host), (base) => ({
    endpoint: new URL(TOKEN_PATH, base)
  }))
}

/**
 * How IMDS selects a user-assigned identity.
 *
 * @since 0.1.0
 * @category constants
 */
export const identities: IdentitySupport = {
  ClientId: "client_id",
  ObjectId: "object_id",
  ResourceId: "msi_res_id",
  unsupported: "IMDS selects every kind of user-assigned identity"
}

/**
 * The token request for an identity and a resource (pure: nothing is sent).
 *
 * @since 0.1.0
 * @category requests
 * @example
 * ```ts
 * import * as Either from "effect/Either"
 * import { Identity, ImdsSource, Resource } from "@managed-identity/core"
 *
 * const config = Either.getOrThrow(ImdsSource.fromVariables({}))
 * const resource = Either.getOrThrow(Resource.make("https://management.azure.com/"))
 * const identity = Either.getOrThrow(Identity.clientId("abc"))
 * const request = Either.getOrThrow(ImdsSource.request(config, identity, resource))
 * console.log(request.method, request.headers.metadata) // GET true
 * ```
 */
export const request = (
  config: Config,
  identity: Identity,
  resource: Resource
): Either.Either<HttpRequest.Request, Unavailable> => {
  const endpoint = new URL(config.endpoint)
  endpoint.search = ""
  return Either.map(identityParameter("IMDS", identities, identity, Endpoint.printable(endpoint)), (parameter) =>
    HttpRequest.get(tokenUrl(endpoint, API_VERSION, resource, parameter), { Metadata: "true" })
  )
}

/**
 * The IMDS source.
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import * as Either from "effect/Either"
 * import { ImdsSource } from "@managed-identity/core"
 *
 * const source = ImdsSource.make(Either.getOrThrow(ImdsSource.fromVariables({})))
 * console.log(source.name, source.endpoint) // IMDS http://169.254.169.254/metadata/identity/oauth2/token
 * ```
 */
export const make = (config: Config): Source => {
  const endpoint = Endpoint.printable(config.endpoint)
  return oneRequestSource(descriptor, endpoint, [], ({ identity, resource }) => request(config, identity, resource))
}

// IMDS answers a request it cannot serve with 400: for the documented request mistakes it says
// which in its `error` code; every other 400 means the identity asked for is not on this host
// ("Identity not found", "no managed identity assigned", several identities and none chosen), as
// Go's, Python's and JavaScript's SDKs also conclude. Decided by the code, never the wording.
const requestMistakes = new Set(["invalid_resource", "bad_request_102", "invalid_scope"])

/**
 * Everything about IMDS: the default source, selected when no other is configured.
 *
 * @since 0.1.0
 * @category descriptors
 * @example
 * ```ts
 * import { ImdsSource } from "@managed-identity/core"
 *
 * ImdsSource.descriptor.displayName // "the Azure Instance Metadata Service (IMDS)"
 * ```
 */
export const descriptor: Descriptor = {
  name: "IMDS",
  displayName: "the Azure Instance Metadata Service (IMDS)",
  variables: [
    {
      variable: AZURE_POD_IDENTITY_AUTHORITY_HOST,
      role: "IMDS replacement of AAD Pod Identity (deprecated)",
      required: false,
      signals: false,
      check: Endpoint.check(AZURE_POD_IDENTITY_AUTHORITY_HOST.name)
    }
  ],
  identities,
  certificatePinning: false,
  claims: "none",
  retry: RetryPolicy.imds,
  classification: {
    statusHint: (status) =>
      status === 410
        ? "IMDS is updating and is back within 70 seconds"
        : status === 404
          ? "IMDS may be updating"
          : undefined,
    unavailable: ({ status, error, description }) =>
      status === 400 && (error === undefined || !requestMistakes.has(error))
        ? {
            reason: "identity-not-found",
            message: `IMDS: the requested managed identity is not assigned to this host (400${error === undefined ? "" : ` ${error}`}${description === undefined ? "" : `: ${description}`})`
          }
        : undefined
  },
  advice: {
    selected: (variables) =>
      `No other source is configured, so tokens come from the Azure Instance Metadata Service (IMDS)${variables[AZURE_POD_IDENTITY_AUTHORITY_HOST.name] ? " through AAD Pod Identity" : ""}. It answers only on Azure VMs, scale sets and AKS nodes that have a managed identity; elsewhere the first request fails fast and a credential chain moves on.`,
    unreachable: "On a VM, check that nothing (a firewall, a proxy) blocks 169.254.169.254.",
    slow: "IMDS answers slowly while it is updating; the request is retried with exponential backoff.",
    userAssigned:
      "Check the client id, object id or resource id you pass, and that the identity is assigned to this VM or scale set.",
    warnings: (variables) =>
      variables[AZURE_POD_IDENTITY_AUTHORITY_HOST.name] === undefined
        ? []
        : [
            `${AZURE_POD_IDENTITY_AUTHORITY_HOST.name} is set: IMDS requests go to AAD Pod Identity, which is deprecated in favour of workload identity`
          ]
  },
  build: (variables) => Either.map(fromVariables(variables), make)
}
