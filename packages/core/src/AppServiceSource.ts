/**
 * App Service and Azure Functions (and Container Apps): the host injects `IDENTITY_ENDPOINT`
 * and `IDENTITY_HEADER`. `GET IDENTITY_ENDPOINT?api-version=2019-08-01&resource=…` with the
 * secret in `X-IDENTITY-HEADER`; a user-assigned identity is selected with `client_id`,
 * `principal_id` (its object id) or `mi_res_id`.
 *
 * @since 0.1.0
 */
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Either from "effect/Either"
import * as Redacted from "effect/Redacted"
import type { Variables } from "./Environment.js"
import type { Identity } from "./Identity.js"
import { type InvalidArgument, Unavailable } from "./ManagedIdentityError.js"
import type { Resource } from "./Resource.js"
import type { Source } from "./Source.js"
import {
  acquireOnce,
  checkIdentity,
  endpointFromVariable,
  identitySelector,
  printable,
  secretFromVariable,
  tokenUrl
} from "./internal/sourceExchange.js"
import { HttpTransport } from "./HttpTransport.js"

/**
 * The API version sent.
 *
 * @since 0.1.0
 * @category constants
 */
export const API_VERSION = "2019-08-01"

/**
 * Where the App Service identity endpoint is and its secret.
 *
 * @since 0.1.0
 * @category models
 */
export interface Config {
  /** `IDENTITY_ENDPOINT`. */
  readonly endpoint: URL
  /** `IDENTITY_HEADER`: sent as `X-IDENTITY-HEADER`, never printed. */
  readonly identityHeader: Redacted.Redacted<string>
}

/**
 * The configuration from `IDENTITY_ENDPOINT` and `IDENTITY_HEADER`: `Unavailable`
 * (`not-configured`) when one is missing, `InvalidArgument` when the endpoint is not a URL.
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import { AppServiceSource } from "@managed-identity/core"
 *
 * AppServiceSource.fromVariables({ IDENTITY_ENDPOINT: "http://127.0.0.1:41741/msi/token/", IDENTITY_HEADER: "s3cr3t" })
 * ```
 */
export const fromVariables = (variables: Variables): Either.Either<Config, InvalidArgument | Unavailable> => {
  const endpoint = variables.IDENTITY_ENDPOINT
  const header = variables.IDENTITY_HEADER
  if (endpoint === undefined || endpoint === "" || header === undefined || header === "") {
    return Either.left(
      new Unavailable({
        source: "AppService",
        reason: "not-configured",
        message: "AppService: IDENTITY_ENDPOINT and IDENTITY_HEADER must both be set",
        attempts: 0,
        elapsedMs: 0
      })
    )
  }
  return Either.all({
    endpoint: endpointFromVariable("IDENTITY_ENDPOINT", endpoint),
    identityHeader: secretFromVariable("IDENTITY_HEADER", header)
  })
}

const idParameter = { ClientId: "client_id", ObjectId: "principal_id", ResourceId: "mi_res_id" } as const

/**
 * The token request for an identity and a resource (pure: nothing is sent).
 *
 * @since 0.1.0
 * @category requests
 * @example
 * ```ts
 * import * as Either from "effect/Either"
 * import * as Redacted from "effect/Redacted"
 * import { AppServiceSource, Identity, Resource } from "@managed-identity/core"
 *
 * const config = { endpoint: new URL("http://127.0.0.1:41741/msi/token/"), identityHeader: Redacted.make("s3cr3t") }
 * const resource = Either.getOrThrow(Resource.make("https://vault.azure.net"))
 * const request = AppServiceSource.request(config, Identity.objectId("0000"), resource) // ...&principal_id=0000
 * ```
 */
export const request = (
  config: Config,
  identity: Identity,
  resource: Resource
): Either.Either<HttpClientRequest.HttpClientRequest, Unavailable | InvalidArgument> =>
  Either.map(checkIdentity(identity), (identity) => {
    const url = tokenUrl(config.endpoint, API_VERSION, resource, identitySelector(identity, idParameter))
    return HttpClientRequest.get(url, { headers: { "X-IDENTITY-HEADER": Redacted.value(config.identityHeader) } })
  })

/**
 * The App Service source.
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import * as Either from "effect/Either"
 * import { AppServiceSource } from "@managed-identity/core"
 *
 * const config = AppServiceSource.fromVariables({ IDENTITY_ENDPOINT: "http://127.0.0.1:41741/msi/token/", IDENTITY_HEADER: "s3cr3t" })
 * const source = AppServiceSource.make(Either.getOrThrow(config))
 * ```
 */
export const make = (config: Config): Source => {
  const endpoint = printable(config.endpoint)
  return {
    name: "AppService",
    endpoint,
    acquire: ({ identity, resource }) =>
      acquireOnce({
        source: "AppService",
        endpoint,
        resource,
        secrets: [Redacted.value(config.identityHeader)],
        request: request(config, identity, resource),
        client: HttpTransport
      })
  }
}
