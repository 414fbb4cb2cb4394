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
import * as Either from "effect/Either"
import * as Redacted from "effect/Redacted"
import type { Variables } from "./Environment.js"
import * as HttpRequest from "./HttpRequest.js"
import * as Identity from "./Identity.js"
import type { InvalidArgument, Unavailable } from "./ManagedIdentityError.js"
import type { Resource } from "./Resource.js"
import * as RetryPolicy from "./internal/retryPolicy.js"
import type { Descriptor, IdentitySupport, Source, Variable } from "./Source.js"
import * as Endpoint from "./internal/endpoint.js"
import { MSI_ENDPOINT } from "./internal/hostVariables.js"
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
export const API_VERSION = "2017-09-01"

/**
 * `MSI_SECRET`: the secret sent with every request.
 *
 * @since 0.1.0
 * @category variables
 */
export const MSI_SECRET: Variable = { name: "MSI_SECRET", secret: true }

/**
 * `DEFAULT_IDENTITY_CLIENT_ID`: the client id of the compute's own identity.
 *
 * @since 0.1.0
 * @category variables
 */
export const DEFAULT_IDENTITY_CLIENT_ID: Variable = { name: "DEFAULT_IDENTITY_CLIENT_ID", secret: false }

/**
 * How Azure ML selects a user-assigned identity: by client id only, as `clientid`.
 *
 * @since 0.1.0
 * @category constants
 */
export const identities: IdentitySupport = {
  ClientId: "clientid",
  unsupported: "its 2017-09-01 endpoint selects user-assigned identities by client id only"
}

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
  readonly defaultClientId?: Identity.Id | undefined
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
export const fromVariables = (
  variables: Variables,
  options: { readonly allowNonLocalEndpoint?: boolean | undefined } = {}
): Either.Either<Config, InvalidArgument | Unavailable> =>
  Either.flatMap(readVariables("AzureML", variables, [MSI_ENDPOINT, MSI_SECRET]), ([endpoint, secret]) => {
    // An unusable default id is ignored rather than refused: the host sets it, not the caller.
    const defaultClientId = Either.getOrUndefined(
      Identity.id(variables[DEFAULT_IDENTITY_CLIENT_ID.name], DEFAULT_IDENTITY_CLIENT_ID.name)
    )
    return Either.map(
      Either.all({
        endpoint: Either.flatMap(Endpoint.fromVariable(MSI_ENDPOINT.name, endpoint), (url) =>
          Endpoint.local(MSI_ENDPOINT.name, url, options.allowNonLocalEndpoint)
        ),
        secret: secretFromVariable(MSI_SECRET.name, secret)
      }),
      (config): Config => (defaultClientId === undefined ? config : { ...config, defaultClientId })
    )
  })

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
 * AzureMlSource.request(config, Either.getOrThrow(Identity.clientId("abc")), resource) // ...&clientid=abc
 * ```
 */
export const request = (
  config: Config,
  identity: Identity.Identity,
  resource: Resource
): Either.Either<HttpRequest.Request, Unavailable> =>
  Either.map(identityParameter("AzureML", identities, identity, Endpoint.printable(config.endpoint)), (parameter) => {
    // The system-assigned identity is the compute's default one, named when the host says which.
    const selector =
      parameter ?? (config.defaultClientId === undefined ? undefined : (["clientid", config.defaultClientId] as const))
    return HttpRequest.get(tokenUrl(config.endpoint, API_VERSION, resource, selector), {
      secret: Redacted.value(config.secret),
      Metadata: "true"
    })
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
  const endpoint = Endpoint.printable(config.endpoint)
  return oneRequestSource(descriptor, endpoint, [Redacted.value(config.secret)], ({ identity, resource }) =>
    request(config, identity, resource)
  )
}

/**
 * Everything about Azure Machine Learning compute (and legacy App Service).
 *
 * @since 0.1.0
 * @category descriptors
 * @example
 * ```ts
 * import { AzureMlSource } from "@managed-identity/core"
 *
 * AzureMlSource.descriptor.identities.ClientId // "clientid"
 * ```
 */
export const descriptor: Descriptor = {
  name: "AzureML",
  displayName: "Azure Machine Learning (or legacy App Service)",
  variables: [
    {
      variable: MSI_ENDPOINT,
      role: "token endpoint",
      required: true,
      signals: false,
      check: Endpoint.check(MSI_ENDPOINT.name)
    },
    { variable: MSI_SECRET, role: "secret header", required: true, signals: true },
    { variable: DEFAULT_IDENTITY_CLIENT_ID, role: "the compute's default identity", required: false, signals: false }
  ],
  identities,
  certificatePinning: false,
  claims: "none",
  retry: RetryPolicy.appService,
  classification: {},
  advice: {
    selected: () =>
      `${MSI_ENDPOINT.name} and ${MSI_SECRET.name} are set, so tokens come from the Azure Machine Learning (or legacy App Service) endpoint; it selects user-assigned identities by client id only.`,
    unreachable: `Check the endpoint variable ${MSI_ENDPOINT.name}.`,
    slow: "The Azure Machine Learning endpoint is overloaded or starting up; the request is retried with exponential backoff.",
    userAssigned: "Azure Machine Learning selects user-assigned identities by client id only: pass clientId."
  },
  build: (variables, context) => Either.map(fromVariables(variables, context.options), make)
}
