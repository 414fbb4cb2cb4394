/**
 * App Service and Azure Functions (and Container Apps): the host injects `IDENTITY_ENDPOINT`
 * and `IDENTITY_HEADER`. `GET IDENTITY_ENDPOINT?api-version=2019-08-01&resource=…` with the
 * secret in `X-IDENTITY-HEADER`; a user-assigned identity is selected with `client_id`,
 * `principal_id` (its object id) or `mi_res_id`.
 *
 * @since 0.1.0
 */
import * as Either from "effect/Either"
import * as Redacted from "effect/Redacted"
import type { Variables } from "./Environment.js"
import * as HttpRequest from "./HttpRequest.js"
import type { Identity } from "./Identity.js"
import type { InvalidArgument, Unavailable } from "./ManagedIdentityError.js"
import type { Resource } from "./Resource.js"
import * as RetryPolicy from "./internal/retryPolicy.js"
import type { Descriptor, IdentitySupport, Source } from "./Source.js"
import * as Endpoint from "./internal/endpoint.js"
import { IDENTITY_ENDPOINT, IDENTITY_HEADER, MSI_ENDPOINT } from "./internal/hostVariables.js"
import {
  identityParameter,
  readVariables,
  secretFromVariable,
  tokenUrl,
  oneRequestSource
} from "./internal/protocol.js"

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
export const fromVariables = (
  variables: Variables,
  options: { readonly allowNonLocalEndpoint?: boolean | undefined } = {}
): Either.Either<Config, InvalidArgument | Unavailable> =>
  Either.flatMap(readVariables("AppService", variables, [IDENTITY_ENDPOINT, IDENTITY_HEADER]), ([endpoint, header]) =>
    Either.all({
      endpoint: Either.flatMap(Endpoint.fromVariable(IDENTITY_ENDPOINT.name, endpoint), (url) =>
        Endpoint.local(IDENTITY_ENDPOINT.name, url, options.allowNonLocalEndpoint)
      ),
      identityHeader: secretFromVariable(IDENTITY_HEADER.name, header)
    })
  )

/**
 * How App Service selects a user-assigned identity (`principal_id` is its name for the object id).
 *
 * @since 0.1.0
 * @category constants
 */
export const identities: IdentitySupport = {
  ClientId: "client_id",
  ObjectId: "principal_id",
  ResourceId: "mi_res_id",
  unsupported: "App Service selects every kind of user-assigned identity"
}

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
 * const request = AppServiceSource.request(config, Either.getOrThrow(Identity.objectId("0000")), resource) // ...&principal_id=0000
 * ```
 */
export const request = (
  config: Config,
  identity: Identity,
  resource: Resource
): Either.Either<HttpRequest.Request, Unavailable> =>
  Either.map(identityParameter("AppService", identities, identity, Endpoint.printable(config.endpoint)), (parameter) =>
    HttpRequest.get(tokenUrl(config.endpoint, API_VERSION, resource, parameter), {
      "X-IDENTITY-HEADER": Redacted.value(config.identityHeader)
    })
  )

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
  const endpoint = Endpoint.printable(config.endpoint)
  return oneRequestSource(descriptor, endpoint, [Redacted.value(config.identityHeader)], ({ identity, resource }) =>
    request(config, identity, resource)
  )
}

/**
 * Everything about App Service and Azure Functions (and Container Apps).
 *
 * @since 0.1.0
 * @category descriptors
 * @example
 * ```ts
 * import { AppServiceSource } from "@managed-identity/core"
 *
 * AppServiceSource.descriptor.variables.map((use) => use.variable.name) // ["IDENTITY_ENDPOINT", "IDENTITY_HEADER"]
 * ```
 */
export const descriptor: Descriptor = {
  name: "AppService",
  displayName: "App Service / Azure Functions",
  variables: [
    {
      variable: IDENTITY_ENDPOINT,
      role: "token endpoint",
      required: true,
      signals: true,
      check: Endpoint.check(IDENTITY_ENDPOINT.name)
    },
    { variable: IDENTITY_HEADER, role: "secret header", required: true, signals: true }
  ],
  identities,
  certificatePinning: false,
  claims: "none",
  retry: RetryPolicy.appService,
  classification: {},
  advice: {
    selected: () =>
      `${IDENTITY_ENDPOINT.name} and ${IDENTITY_HEADER.name} are set, so tokens come from the App Service / Functions identity endpoint the host injected.`,
    unreachable: `Check the endpoint variable ${IDENTITY_ENDPOINT.name}: the host injects it when managed identity is enabled.`,
    slow: "The App Service endpoint is overloaded or starting up (a cold start on Functions); the request is retried with exponential backoff.",
    userAssigned:
      "Check the client id, object id or resource id you pass, and that the identity is assigned to the app.",
    // The Functions write-up: on a fresh instance the host may not have injected the variables yet.
    warnings: (variables) =>
      (variables.WEBSITE_SITE_NAME !== undefined || variables.FUNCTIONS_WORKER_RUNTIME !== undefined) &&
      variables[IDENTITY_ENDPOINT.name] === undefined &&
      variables[MSI_ENDPOINT.name] === undefined
        ? [
            `This looks like App Service or Azure Functions (WEBSITE_SITE_NAME or FUNCTIONS_WORKER_RUNTIME is set) but ${IDENTITY_ENDPOINT.name} is not: managed identity is not enabled for the app, or the host has not injected it yet (a cold start); IMDS is not reachable from App Service`
          ]
        : []
  },
  build: (variables, context) => Either.map(fromVariables(variables, context.options), make)
}
