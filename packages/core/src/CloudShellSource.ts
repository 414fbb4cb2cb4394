/**
 * Azure Cloud Shell: `MSI_ENDPOINT` alone. `POST MSI_ENDPOINT` with the form body
 * `resource=…` and `Metadata: true`. Cloud Shell issues tokens for its signed-in user only, so
 * no user-assigned identity can be selected.
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
import type { Descriptor, IdentitySupport, Source } from "./Source.js"
import * as Endpoint from "./internal/endpoint.js"
import { MSI_ENDPOINT } from "./internal/hostVariables.js"
import { identityParameter, readVariables, oneRequestSource } from "./internal/protocol.js"

/**
 * Cloud Shell selects no user-assigned identity.
 *
 * @since 0.1.0
 * @category constants
 */
export const identities: IdentitySupport = { unsupported: "Cloud Shell issues tokens for its signed-in user only" }

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
export const fromVariables = (
  variables: Variables,
  options: { readonly allowNonLocalEndpoint?: boolean | undefined } = {}
): Either.Either<Config, InvalidArgument | Unavailable> =>
  Either.flatMap(readVariables("CloudShell", variables, [MSI_ENDPOINT]), ([endpoint]) =>
    Either.map(
      Either.flatMap(Endpoint.fromVariable(MSI_ENDPOINT.name, endpoint), (url) =>
        Endpoint.local(MSI_ENDPOINT.name, url, options.allowNonLocalEndpoint)
      ),
      (url) => ({ endpoint: url })
    )
  )

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
): Either.Either<HttpRequest.Request, Unavailable> =>
  Either.map(identityParameter("CloudShell", identities, identity, Endpoint.printable(config.endpoint)), () =>
    HttpRequest.postForm(config.endpoint, { resource }, { Metadata: "true" })
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
  const endpoint = Endpoint.printable(config.endpoint)
  return oneRequestSource(descriptor, endpoint, [], ({ identity, resource }) => request(config, identity, resource))
}

/**
 * Everything about Azure Cloud Shell.
 *
 * @since 0.1.0
 * @category descriptors
 * @example
 * ```ts
 * import { CloudShellSource } from "@managed-identity/core"
 *
 * CloudShellSource.descriptor.displayName // "Azure Cloud Shell"
 * ```
 */
export const descriptor: Descriptor = {
  name: "CloudShell",
  displayName: "Azure Cloud Shell",
  variables: [
    {
      variable: MSI_ENDPOINT,
      role: "token endpoint",
      required: true,
      signals: true,
      check: Endpoint.check(MSI_ENDPOINT.name)
    }
  ],
  identities,
  certificatePinning: false,
  claims: "none",
  retry: RetryPolicy.appService,
  classification: {},
  advice: {
    selected: () =>
      `${MSI_ENDPOINT.name} is set on its own, so this is Azure Cloud Shell: tokens are for the signed-in user's identity.`,
    unreachable: `Check the endpoint variable ${MSI_ENDPOINT.name}.`,
    slow: "The Cloud Shell endpoint is overloaded or starting up; the request is retried with exponential backoff.",
    userAssigned: "Cloud Shell issues tokens for the signed-in user only: use the system-assigned identity here."
  },
  build: (variables, context) => Either.map(fromVariables(variables, context.options), make)
}
