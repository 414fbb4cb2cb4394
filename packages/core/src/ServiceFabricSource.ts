/**
 * Service Fabric: `IDENTITY_ENDPOINT`, `IDENTITY_HEADER` and `IDENTITY_SERVER_THUMBPRINT`.
 * `GET IDENTITY_ENDPOINT?api-version=2019-07-01-preview&resource=…` with the secret in a
 * `secret` header, over TLS to the cluster's self-signed certificate, which is pinned by its
 * thumbprint through the `CertificatePinning` service (adapters provide it).
 *
 * User-assigned identities are bound to a Service Fabric application in its manifest, not chosen
 * at request time, so a requested user-assigned identity is refused before sending (see
 * `identities`).
 *
 * @since 0.1.0
 */
import * as Either from "effect/Either"
import * as Redacted from "effect/Redacted"
import { normalizeThumbprint } from "./internal/thumbprint.js"
import type { Variables } from "./Environment.js"
import type { Identity } from "./Identity.js"
import { InvalidArgument, type Unavailable } from "./ManagedIdentityError.js"
import type { Resource } from "./Resource.js"
import * as HttpRequest from "./HttpRequest.js"
import * as RetryPolicy from "./internal/retryPolicy.js"
import type { Descriptor, IdentitySupport, Source, Variable } from "./Source.js"
import * as Endpoint from "./internal/endpoint.js"
import { IDENTITY_ENDPOINT, IDENTITY_HEADER } from "./internal/hostVariables.js"
import { identityParameter, readVariables, secretFromVariable, tokenUrl, exchangeOnce } from "./internal/protocol.js"

/**
 * `IDENTITY_SERVER_THUMBPRINT`: the thumbprint of the cluster's self-signed certificate.
 *
 * @since 0.1.0
 * @category variables
 */
export const IDENTITY_SERVER_THUMBPRINT: Variable = { name: "IDENTITY_SERVER_THUMBPRINT", secret: false }

const thumbprintProblem = (value: string): string | undefined =>
  normalizeThumbprint(value) === undefined
    ? `${IDENTITY_SERVER_THUMBPRINT.name} is not 40 or 64 hexadecimal digits: Service Fabric cannot pin its certificate`
    : undefined

/**
 * The API version sent.
 *
 * @since 0.1.0
 * @category constants
 */
export const API_VERSION = "2019-07-01-preview"

/**
 * Where the cluster's token service is, its secret and its certificate's thumbprint.
 *
 * @since 0.1.0
 * @category models
 */
export interface Config {
  /** `IDENTITY_ENDPOINT`. */
  readonly endpoint: URL
  /** `IDENTITY_HEADER`: sent as the `secret` header, never printed. */
  readonly identityHeader: Redacted.Redacted<string>
  /** `IDENTITY_SERVER_THUMBPRINT`, normalized to upper-case hex (SHA-1 or SHA-256). */
  readonly thumbprint: string
}

/**
 * The configuration from the three variables; a thumbprint that is not a hex SHA-1 or SHA-256
 * is an `InvalidArgument` naming `IDENTITY_SERVER_THUMBPRINT`.
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import { ServiceFabricSource } from "@managed-identity/core"
 *
 * ServiceFabricSource.fromVariables({
 *   IDENTITY_ENDPOINT: "https://127.0.0.1:2377/metadata/identity/oauth2/token",
 *   IDENTITY_HEADER: "s3cr3t",
 *   IDENTITY_SERVER_THUMBPRINT: "A1B2C3D4E5F60718293A4B5C6D7E8F9012345678"
 * })
 * ```
 */
export const fromVariables = (variables: Variables): Either.Either<Config, InvalidArgument | Unavailable> =>
  Either.flatMap(
    readVariables("ServiceFabric", variables, [IDENTITY_ENDPOINT, IDENTITY_HEADER, IDENTITY_SERVER_THUMBPRINT]),
    ([endpoint, header, thumbprint]) => {
      const normalized = normalizeThumbprint(thumbprint)
      if (normalized === undefined) {
        return Either.left(
          new InvalidArgument({
            argument: IDENTITY_SERVER_THUMBPRINT.name,
            message: `${IDENTITY_SERVER_THUMBPRINT.name}: is not a certificate thumbprint (40 or 64 hexadecimal digits, colons allowed)`
          })
        )
      }
      return Either.map(
        Either.all({
          endpoint: Either.flatMap(Endpoint.fromVariable(IDENTITY_ENDPOINT.name, endpoint), (url) =>
            Endpoint.https(IDENTITY_ENDPOINT.name, url)
          ),
          identityHeader: secretFromVariable(IDENTITY_HEADER.name, header)
        }),
        (config) => ({ ...config, thumbprint: normalized })
      )
    }
  )

/**
 * Service Fabric selects no identity at request time: its documentation names only `api-version`,
 * `resource` and the `Secret` header, and binds user-assigned identities to the application in its
 * manifest. A requested id is refused before anything is sent (as Go's, Python's and
 * `@azure/identity`'s credentials do): the token service would ignore it and answer with the
 * application's identity, a token other than the one asked for.
 *
 * @since 0.1.0
 * @category constants
 */
export const identities: IdentitySupport = {
  unsupported:
    "Service Fabric binds user-assigned identities to the application in its manifest; its token service ignores a requested id and would answer with the application's own identity"
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
 * import { Identity, Resource, ServiceFabricSource } from "@managed-identity/core"
 *
 * const config = {
 *   endpoint: new URL("https://127.0.0.1:2377/metadata/identity/oauth2/token"),
 *   identityHeader: Redacted.make("s3cr3t"),
 *   thumbprint: "A1B2C3D4E5F60718293A4B5C6D7E8F9012345678"
 * }
 * const resource = Either.getOrThrow(Resource.make("https://vault.azure.net"))
 * ServiceFabricSource.request(config, Identity.systemAssigned, resource)
 * ```
 */
export const request = (
  config: Config,
  identity: Identity,
  resource: Resource,
  tokenToRefresh?: string | undefined
): Either.Either<HttpRequest.Request, Unavailable> =>
  Either.map(
    identityParameter("ServiceFabric", identities, identity, Endpoint.printable(config.endpoint)),
    (parameter) => {
      const url = tokenUrl(config.endpoint, API_VERSION, resource, parameter)
      // MSAL's token revocation: the token service bypasses its own cache for a token it is told
      // was rejected (a claims challenge), naming it by its SHA-256, never the token itself.
      if (tokenToRefresh !== undefined) url.searchParams.set(TOKEN_TO_REFRESH_PARAMETER, tokenToRefresh)
      return HttpRequest.get(url, { secret: Redacted.value(config.identityHeader) })
    }
  )

/**
 * The query parameter of MSAL's token revocation protocol: the lowercase hex SHA-256 of the token
 * a claims challenge rejected.
 *
 * @since 0.1.0
 * @category constants
 */
export const TOKEN_TO_REFRESH_PARAMETER = "token_sha256_to_refresh"

/**
 * The Service Fabric source: each request goes through `CertificatePinning.client(thumbprint)`.
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import * as Either from "effect/Either"
 * import { ServiceFabricSource } from "@managed-identity/core"
 *
 * const config = ServiceFabricSource.fromVariables({
 *   IDENTITY_ENDPOINT: "https://127.0.0.1:2377/metadata/identity/oauth2/token",
 *   IDENTITY_HEADER: "s3cr3t",
 *   IDENTITY_SERVER_THUMBPRINT: "A1B2C3D4E5F60718293A4B5C6D7E8F9012345678"
 * })
 * const source = ServiceFabricSource.make(Either.getOrThrow(config))
 * ```
 */
export const make = (config: Config): Source => {
  const endpoint = Endpoint.printable(config.endpoint)
  return {
    name: "ServiceFabric",
    descriptor,
    endpoint,
    files: [],
    start: ({ identity, resource, tokenToRefresh }) =>
      exchangeOnce(
        {
          source: "ServiceFabric",
          rules: descriptor.classification,
          endpoint,
          resource,
          secrets: [Redacted.value(config.identityHeader)]
        },
        request(config, identity, resource, tokenToRefresh),
        config.thumbprint
      )
  }
}

/**
 * Everything about Service Fabric's managed identity.
 *
 * @since 0.1.0
 * @category descriptors
 * @example
 * ```ts
 * import { ServiceFabricSource } from "@managed-identity/core"
 *
 * ServiceFabricSource.descriptor.certificatePinning // true
 * ```
 */
export const descriptor: Descriptor = {
  name: "ServiceFabric",
  displayName: "Service Fabric",
  variables: [
    {
      variable: IDENTITY_ENDPOINT,
      role: "token endpoint",
      required: true,
      signals: false,
      check: Endpoint.check(IDENTITY_ENDPOINT.name)
    },
    { variable: IDENTITY_HEADER, role: "secret header", required: true, signals: false },
    {
      variable: IDENTITY_SERVER_THUMBPRINT,
      role: "certificate thumbprint",
      required: true,
      signals: true,
      check: thumbprintProblem
    }
  ],
  identities,
  certificatePinning: true,
  claims: "revocation",
  retry: RetryPolicy.serviceFabric,
  classification: {},
  advice: {
    selected: () =>
      `${IDENTITY_ENDPOINT.name}, ${IDENTITY_HEADER.name} and ${IDENTITY_SERVER_THUMBPRINT.name} are set, so tokens come from the Service Fabric cluster's token service, over TLS pinned to that thumbprint.`,
    unreachable: `Check the endpoint variable ${IDENTITY_ENDPOINT.name} and that the cluster's token service runs on this node.`,
    slow: "The cluster's token service is overloaded or starting up; the request is retried with exponential backoff.",
    userAssigned: "For Service Fabric, user-assigned identities are bound to the application in its manifest."
  },
  build: (variables) => Either.map(fromVariables(variables), make)
}
