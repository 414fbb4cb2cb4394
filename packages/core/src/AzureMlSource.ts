/**
 * Azure Machine Learning compute, and legacy App Service: `MSI_ENDPOINT` and `MSI_SECRET`.
 * `GET MSI_ENDPOINT?api-version=2017-09-01&resource=…` with the secret in a `secret` header.
 * This API version selects a user-assigned identity by client id only (`clientid`, no
 * underscore); object and resource ids cannot be selected. For the system-assigned identity the
 * compute's own `DEFAULT_IDENTITY_CLIENT_ID` is sent when the host sets it, as MSAL does. Its
 * `expires_on` is a date string such as `09/14/2017 00:00:00 PM +00:00`, which `TokenResponse`
 * reads.
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
  printable,
  secretFromVariable,
  tokenUrl,
  unsupportedIdentity
} from "./internal/sourceExchange.js"
import { HttpTransport } from "./HttpTransport.js"

/**
 * The API version sent.
 *
 * @since 0.1.0
 * @category constants
 */
export const API_VERSION = "2017-09-01"

/**
 * Where the endpoint is, its secret, and the compute's default identity.
 *
 * @since 0.1.0
 * @category models
 */
export interface Config {
  /** `MSI_ENDPOINT`. */
  readonly endpoint: URL
  /** `MSI_SECRET`: sent as the `secret` header, never printed. */
  readonly secret: Redacted.Redacted<string>
  /** `DEFAULT_IDENTITY_CLIENT_ID`: the client id sent for the system-assigned identity, when set. */
  readonly defaultClientId?: string | undefined
}

/**
 * The configuration from `MSI_ENDPOINT`, `MSI_SECRET` and `DEFAULT_IDENTITY_CLIENT_ID`.
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import { AzureMlSource } from "@managed-identity/core"
 *
 * AzureMlSource.fromVariables({ MSI_ENDPOINT: "http://127.0.0.1:46808/msi/token", MSI_SECRET: "s3cr3t" })
 * ```
 */
export const fromVariables = (variables: Variables): Either.Either<Config, InvalidArgument | Unavailable> => {
  const endpoint = variables.MSI_ENDPOINT
  const secret = variables.MSI_SECRET
  if (endpoint === undefined || endpoint === "" || secret === undefined || secret === "") {
    return Either.left(
      new Unavailable({
        source: "AzureML",
        reason: "not-configured",
        message: "AzureML: MSI_ENDPOINT and MSI_SECRET must both be set",
        attempts: 0,
        elapsedMs: 0
      })
    )
  }
  const defaultClientId = variables.DEFAULT_IDENTITY_CLIENT_ID
  return Either.map(
    Either.all({
      endpoint: endpointFromVariable("MSI_ENDPOINT", endpoint),
      secret: secretFromVariable("MSI_SECRET", secret)
    }),
    (config): Config =>
      defaultClientId !== undefined && /^[\x21-\x7e]{1,1024}$/.test(defaultClientId)
        ? { ...config, defaultClientId }
        : config
  )
}

/**
 * The token request for an identity and a resource (pure: nothing is sent). Object and
 * resource ids are refused with `Unavailable` (`unsupported-identity`).
 *
 * @since 0.1.0
 * @category requests
 * @example
 * ```ts
 * import * as Either from "effect/Either"
 * import * as Redacted from "effect/Redacted"
 * import { AzureMlSource, Identity, Resource } from "@managed-identity/core"
 *
 * const config = { endpoint: new URL("http://127.0.0.1:46808/msi/token"), secret: Redacted.make("s3cr3t") }
 * const resource = Either.getOrThrow(Resource.make("https://storage.azure.com/"))
 * AzureMlSource.request(config, Identity.clientId("abc"), resource) // ...&clientid=abc
 * ```
 */
export const request = (
  config: Config,
  identity: Identity,
  resource: Resource
): Either.Either<HttpClientRequest.HttpClientRequest, Unavailable | InvalidArgument> =>
  Either.flatMap(checkIdentity(identity), (identity) => {
    if (identity._tag === "ObjectId" || identity._tag === "ResourceId") {
      return Either.left(
        unsupportedIdentity(
          "AzureML",
          identity,
          printable(config.endpoint),
          "its 2017-09-01 endpoint selects user-assigned identities by client id only"
        )
      )
    }
    const clientId = identity._tag === "ClientId" ? identity.id : config.defaultClientId
    const url = tokenUrl(
      config.endpoint,
      API_VERSION,
      resource,
      clientId === undefined ? undefined : ["clientid", clientId]
    )
    return Either.right(
      HttpClientRequest.get(url, { headers: { secret: Redacted.value(config.secret), Metadata: "true" } })
    )
  })

/**
 * The Azure Machine Learning (and legacy App Service) source.
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import * as Either from "effect/Either"
 * import { AzureMlSource } from "@managed-identity/core"
 *
 * const config = AzureMlSource.fromVariables({ MSI_ENDPOINT: "http://127.0.0.1:46808/msi/token", MSI_SECRET: "s3cr3t" })
 * const source = AzureMlSource.make(Either.getOrThrow(config))
 * ```
 */
export const make = (config: Config): Source => {
  const endpoint = printable(config.endpoint)
  return {
    name: "AzureML",
    endpoint,
    acquire: ({ identity, resource }) =>
      acquireOnce({
        source: "AzureML",
        endpoint,
        resource,
        secrets: [Redacted.value(config.secret)],
        request: request(config, identity, resource),
        client: HttpTransport
      })
  }
}
