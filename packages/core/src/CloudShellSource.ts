/**
 * Azure Cloud Shell: `MSI_ENDPOINT` alone. `POST MSI_ENDPOINT` with the form body
 * `resource=…` and `Metadata: true`. Cloud Shell issues tokens for its signed-in user only, so
 * no user-assigned identity can be selected.
 *
 * @since 0.1.0
 */
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Either from "effect/Either"
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
  unsupportedIdentity
} from "./internal/sourceExchange.js"
import { HttpTransport } from "./HttpTransport.js"

/**
 * Where the Cloud Shell endpoint is.
 *
 * @since 0.1.0
 * @category models
 */
export interface Config {
  /** `MSI_ENDPOINT`. */
  readonly endpoint: URL
}

/**
 * The configuration from `MSI_ENDPOINT`.
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import { CloudShellSource } from "@managed-identity/core"
 *
 * CloudShellSource.fromVariables({ MSI_ENDPOINT: "http://localhost:50342/oauth2/token" })
 * ```
 */
export const fromVariables = (variables: Variables): Either.Either<Config, InvalidArgument | Unavailable> => {
  const endpoint = variables.MSI_ENDPOINT
  if (endpoint === undefined || endpoint === "") {
    return Either.left(
      new Unavailable({
        source: "CloudShell",
        reason: "not-configured",
        message: "CloudShell: MSI_ENDPOINT is not set",
        attempts: 0,
        elapsedMs: 0
      })
    )
  }
  return Either.map(endpointFromVariable("MSI_ENDPOINT", endpoint), (url) => ({ endpoint: url }))
}

/**
 * The token request for a resource (pure: nothing is sent). User-assigned identities are
 * refused with `Unavailable` (`unsupported-identity`).
 *
 * @since 0.1.0
 * @category requests
 * @example
 * ```ts
 * import * as Either from "effect/Either"
 * import { CloudShellSource, Identity, Resource } from "@managed-identity/core"
 *
 * const config = { endpoint: new URL("http://localhost:50342/oauth2/token") }
 * const resource = Either.getOrThrow(Resource.make("https://management.azure.com/"))
 * const request = CloudShellSource.request(config, Identity.systemAssigned, resource) // POST resource=...
 * ```
 */
export const request = (
  config: Config,
  identity: Identity,
  resource: Resource
): Either.Either<HttpClientRequest.HttpClientRequest, Unavailable | InvalidArgument> =>
  Either.flatMap(checkIdentity(identity), (identity) =>
    identity._tag !== "SystemAssigned"
      ? Either.left(
          unsupportedIdentity(
            "CloudShell",
            identity,
            printable(config.endpoint),
            "Cloud Shell issues tokens for its signed-in user only"
          )
        )
      : Either.right(
          HttpClientRequest.post(config.endpoint, { headers: { Metadata: "true" } }).pipe(
            HttpClientRequest.bodyUrlParams({ resource })
          )
        )
  )

/**
 * The Cloud Shell source.
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import { CloudShellSource } from "@managed-identity/core"
 *
 * const source = CloudShellSource.make({ endpoint: new URL("http://localhost:50342/oauth2/token") })
 * ```
 */
export const make = (config: Config): Source => {
  const endpoint = printable(config.endpoint)
  return {
    name: "CloudShell",
    endpoint,
    acquire: ({ identity, resource }) =>
      acquireOnce({
        source: "CloudShell",
        endpoint,
        resource,
        secrets: [],
        request: request(config, identity, resource),
        client: HttpTransport
      })
  }
}
