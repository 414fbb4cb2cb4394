/**
 * The Azure Instance Metadata Service (IMDS): the default source on VMs, scale sets and AKS
 * nodes. `GET http://169.254.169.254/metadata/identity/oauth2/token?api-version=2018-02-01&resource=…`
 * with `Metadata: true` (an SSRF guard: the endpoint refuses requests without it). A
 * user-assigned identity is selected with `client_id`, `object_id` or `msi_res_id`.
 * `AZURE_POD_IDENTITY_AUTHORITY_HOST` (AAD Pod Identity) replaces the host.
 *
 * @since 0.1.0
 */
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Either from "effect/Either"
import type { Variables } from "./Environment.js"
import type { Identity } from "./Identity.js"
import type { InvalidArgument, Unavailable } from "./ManagedIdentityError.js"
import type { Resource } from "./Resource.js"
import type { Source } from "./Source.js"
import {
  acquireOnce,
  checkIdentity,
  endpointFromVariable,
  identitySelector,
  printable,
  tokenUrl
} from "./internal/sourceExchange.js"
import { HttpTransport } from "./HttpTransport.js"

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
  const host = variables.AZURE_POD_IDENTITY_AUTHORITY_HOST
  if (host === undefined || host.trim() === "") return Either.right({ endpoint: new URL(DEFAULT_ENDPOINT) })
  return Either.map(endpointFromVariable("AZURE_POD_IDENTITY_AUTHORITY_HOST", host), (base) => ({
    endpoint: new URL(TOKEN_PATH, base)
  }))
}

const idParameter = { ClientId: "client_id", ObjectId: "object_id", ResourceId: "msi_res_id" } as const

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
 * const request = Either.getOrThrow(ImdsSource.request(config, Identity.clientId("abc"), resource))
 * console.log(request.method, request.headers.metadata) // GET true
 * ```
 */
export const request = (
  config: Config,
  identity: Identity,
  resource: Resource
): Either.Either<HttpClientRequest.HttpClientRequest, Unavailable | InvalidArgument> =>
  Either.map(checkIdentity(identity), (identity) => {
    const endpoint = new URL(config.endpoint)
    endpoint.search = ""
    const url = tokenUrl(endpoint, API_VERSION, resource, identitySelector(identity, idParameter))
    return HttpClientRequest.get(url, { headers: { Metadata: "true" } })
  })

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
  const endpoint = printable(config.endpoint)
  return {
    name: "IMDS",
    endpoint,
    acquire: ({ identity, resource }) =>
      acquireOnce({
        source: "IMDS",
        endpoint,
        resource,
        secrets: [],
        request: request(config, identity, resource),
        client: HttpTransport
      })
  }
}
