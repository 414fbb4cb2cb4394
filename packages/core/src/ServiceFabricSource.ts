/**
 * Service Fabric: `IDENTITY_ENDPOINT`, `IDENTITY_HEADER` and `IDENTITY_SERVER_THUMBPRINT`.
 * `GET IDENTITY_ENDPOINT?api-version=2019-07-01-preview&resource=…` with the secret in a
 * `secret` header, over TLS to the cluster's self-signed certificate, which is pinned by its
 * thumbprint through the `CertificatePinning` service (adapters provide it).
 *
 * User-assigned identities are bound to a Service Fabric application in its manifest, not chosen
 * at request time. Like MSAL (`ServiceFabric.ts` in msal-node), we still pass the id the caller
 * gave, under the generic names `client_id`, `object_id` and `mi_res_id`, and let the cluster's
 * token service decide; it ignores what it does not use.
 *
 * @since 0.1.0
 */
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Redacted from "effect/Redacted"
import { CertificatePinning, normalizeThumbprint } from "./CertificatePinning.js"
import type { Variables } from "./Environment.js"
import type { Identity } from "./Identity.js"
import { InvalidArgument, Unavailable } from "./ManagedIdentityError.js"
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
export const fromVariables = (variables: Variables): Either.Either<Config, InvalidArgument | Unavailable> => {
  const endpoint = variables.IDENTITY_ENDPOINT
  const header = variables.IDENTITY_HEADER
  const thumbprint = variables.IDENTITY_SERVER_THUMBPRINT
  if (!endpoint || !header || !thumbprint) {
    return Either.left(
      new Unavailable({
        source: "ServiceFabric",
        reason: "not-configured",
        message: "ServiceFabric: IDENTITY_ENDPOINT, IDENTITY_HEADER and IDENTITY_SERVER_THUMBPRINT must all be set",
        attempts: 0,
        elapsedMs: 0
      })
    )
  }
  const normalized = normalizeThumbprint(thumbprint)
  if (normalized === undefined) {
    return Either.left(
      new InvalidArgument({
        argument: "IDENTITY_SERVER_THUMBPRINT",
        message:
          "IDENTITY_SERVER_THUMBPRINT: is not a certificate thumbprint (40 or 64 hexadecimal digits, colons allowed)"
      })
    )
  }
  return Either.map(
    Either.all({
      endpoint: endpointFromVariable("IDENTITY_ENDPOINT", endpoint),
      identityHeader: secretFromVariable("IDENTITY_HEADER", header)
    }),
    (config) => ({ ...config, thumbprint: normalized })
  )
}

const idParameter = { ClientId: "client_id", ObjectId: "object_id", ResourceId: "mi_res_id" } as const

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
  resource: Resource
): Either.Either<HttpClientRequest.HttpClientRequest, Unavailable | InvalidArgument> =>
  Either.map(checkIdentity(identity), (identity) => {
    const url = tokenUrl(config.endpoint, API_VERSION, resource, identitySelector(identity, idParameter))
    return HttpClientRequest.get(url, { headers: { secret: Redacted.value(config.identityHeader) } })
  })

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
  const endpoint = printable(config.endpoint)
  return {
    name: "ServiceFabric",
    endpoint,
    acquire: ({ identity, resource }) =>
      acquireOnce({
        source: "ServiceFabric",
        endpoint,
        resource,
        secrets: [Redacted.value(config.identityHeader)],
        request: request(config, identity, resource),
        client: Effect.flatMap(CertificatePinning, (pinning) =>
          Effect.mapError(pinning.client(config.thumbprint), (error) =>
            error.endpoint === undefined ? new Unavailable({ ...error, message: error.message, endpoint }) : error
          )
        )
      })
  }
}
