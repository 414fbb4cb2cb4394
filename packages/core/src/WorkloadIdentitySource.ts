/**
 * Workload identity (AKS, and any Kubernetes with Entra workload identity federation):
 * `AZURE_FEDERATED_TOKEN_FILE`, `AZURE_CLIENT_ID` and `AZURE_TENANT_ID`. The pod's projected
 * service-account token is exchanged at Entra: `POST {AZURE_AUTHORITY_HOST}/{tenant}/oauth2/v2.0/token`
 * with a client-credentials grant whose `client_assertion` is the file's JWT. Kubernetes
 * rotates that file, so it is read again on every request.
 *
 * @since 0.1.0
 */
import * as Either from "effect/Either"
import type { Variables } from "./Environment.js"
import type { FileError } from "./FileReader.js"
import * as HttpRequest from "./HttpRequest.js"
import * as Identity from "./Identity.js"
import { type EndpointError, InvalidArgument, Unavailable } from "./ManagedIdentityError.js"
import { type Resource, toScope } from "./Resource.js"
import * as RetryPolicy from "./internal/retryPolicy.js"
import type { Descriptor, IdentitySupport, Source, Step, Variable } from "./Source.js"
import * as Endpoint from "./internal/endpoint.js"
import { AZURE_CLIENT_ID } from "./internal/hostVariables.js"
import { failed, identityParameter, interpret, readVariables, send, settle } from "./internal/protocol.js"

/**
 * `AZURE_FEDERATED_TOKEN_FILE`: the pod's projected service-account token.
 *
 * @since 0.1.0
 * @category variables
 */
export const AZURE_FEDERATED_TOKEN_FILE: Variable = { name: "AZURE_FEDERATED_TOKEN_FILE", secret: false }

/**
 * `AZURE_TENANT_ID`: the Entra tenant of the app.
 *
 * @since 0.1.0
 * @category variables
 */
export const AZURE_TENANT_ID: Variable = { name: "AZURE_TENANT_ID", secret: false }

/**
 * `AZURE_AUTHORITY_HOST`: the Entra authority (default: the public cloud's).
 *
 * @since 0.1.0
 * @category variables
 */
export const AZURE_AUTHORITY_HOST: Variable = { name: "AZURE_AUTHORITY_HOST", secret: false }

/**
 * Workload identity federation selects an app by client id only (sent as the form's `client_id`,
 * in place of `AZURE_CLIENT_ID`).
 *
 * @since 0.1.0
 * @category constants
 */
export const identities: IdentitySupport = {
  ClientId: "client_id",
  unsupported: "workload identity federation selects an app by client id only"
}

/**
 * Entra's public-cloud authority, used when `AZURE_AUTHORITY_HOST` is not set.
 *
 * @since 0.1.0
 * @category constants
 */
export const DEFAULT_AUTHORITY_HOST = "https://login.microsoftonline.com"

/**
 * The client assertion type of a federated (JWT bearer) credential.
 *
 * @since 0.1.0
 * @category constants
 */
export const CLIENT_ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

// A projected service-account token is about 1 KiB; refuse anything absurd.
const MAX_ASSERTION_BYTES = 65_536

/**
 * The federation settings.
 *
 * @since 0.1.0
 * @category models
 */
export interface Config {
  /** `AZURE_AUTHORITY_HOST`: https, or http on loopback only (the emulator). */
  readonly authorityHost: URL
  /** `AZURE_TENANT_ID`: a GUID or a domain name. */
  readonly tenantId: string
  /** `AZURE_CLIENT_ID`: the app whose federated credential trusts the cluster. */
  readonly clientId: Identity.Id
  /** `AZURE_FEDERATED_TOKEN_FILE`: read on every request. */
  readonly tokenFile: string
}

const tenantPattern = /^[A-Za-z0-9](?:[A-Za-z0-9.-]{0,254})$/

/**
 * The configuration from the environment, validated: tenant id, client id, authority host.
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import { WorkloadIdentitySource } from "@managed-identity/core"
 *
 * WorkloadIdentitySource.fromVariables({
 *   AZURE_FEDERATED_TOKEN_FILE: "/var/run/secrets/azure/tokens/azure-identity-token",
 *   AZURE_CLIENT_ID: "00000000-0000-0000-0000-000000000001",
 *   AZURE_TENANT_ID: "00000000-0000-0000-0000-0000000000aa"
 * })
 * ```
 */
export const fromVariables = (variables: Variables): Either.Either<Config, InvalidArgument | Unavailable> =>
  Either.flatMap(
    readVariables("WorkloadIdentity", variables, [AZURE_FEDERATED_TOKEN_FILE, AZURE_CLIENT_ID, AZURE_TENANT_ID]),
    ([tokenFile, clientId, tenantId]) => {
      const invalid = (argument: string, message: string) =>
        Either.left(new InvalidArgument({ argument, message: `${argument}: ${message}` }))
      if (!tenantPattern.test(tenantId)) {
        return invalid(
          AZURE_TENANT_ID.name,
          "must be a tenant id (a GUID) or a domain name such as contoso.onmicrosoft.com"
        )
      }
      const authority = variables[AZURE_AUTHORITY_HOST.name] ?? DEFAULT_AUTHORITY_HOST
      return Either.flatMap(
        Either.all([
          Identity.id(clientId, AZURE_CLIENT_ID.name),
          Endpoint.fromVariable(AZURE_AUTHORITY_HOST.name, authority)
        ]),
        ([clientId, authorityHost]) =>
          authorityHost.protocol !== "https:" && !Endpoint.isLoopback(authorityHost)
            ? invalid(AZURE_AUTHORITY_HOST.name, "must be an https:// URL (plain http is accepted on loopback only)")
            : Either.right({ authorityHost, tenantId, clientId, tokenFile })
      )
    }
  )

/**
 * The token endpoint: `{authority}/{tenant}/oauth2/v2.0/token`.
 *
 * @since 0.1.0
 * @category requests
 * @example
 * ```ts
 * import { WorkloadIdentitySource } from "@managed-identity/core"
 *
 * WorkloadIdentitySource.tokenEndpoint({
 *   authorityHost: new URL("https://login.microsoftonline.com"),
 *   tenantId: "contoso.onmicrosoft.com"
 * }).href // https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token
 * ```
 */
export const tokenEndpoint = (config: Pick<Config, "authorityHost" | "tenantId">): URL => {
  const url = new URL(config.authorityHost)
  url.search = ""
  url.hash = ""
  const base = url.pathname.replace(/\/+$/, "")
  url.pathname = `${base}/${encodeURIComponent(config.tenantId)}/oauth2/v2.0/token`
  return url
}

/**
 * The token request for an identity, a resource and the current assertion (pure: nothing is
 * sent, no file is read). A user-assigned client id overrides `AZURE_CLIENT_ID`; object and
 * resource ids are refused with `Unavailable` (`unsupported-identity`). `claims`, when given,
 * is passed to Entra.
 *
 * @since 0.1.0
 * @category requests
 * @example
 * ```ts
 * import * as Either from "effect/Either"
 * import { Identity, Resource, WorkloadIdentitySource } from "@managed-identity/core"
 *
 * const config = Either.getOrThrow(
 *   WorkloadIdentitySource.fromVariables({
 *     AZURE_FEDERATED_TOKEN_FILE: "/var/run/token",
 *     AZURE_CLIENT_ID: "abc",
 *     AZURE_TENANT_ID: "contoso.onmicrosoft.com"
 *   })
 * )
 * const resource = Either.getOrThrow(Resource.make("https://management.azure.com/"))
 * WorkloadIdentitySource.request(config, Identity.systemAssigned, resource, "eyJ...")
 * ```
 */
export const request = (
  config: Config,
  identity: Identity.Identity,
  resource: Resource,
  assertion: string,
  claims?: string | undefined
): Either.Either<HttpRequest.Request, Unavailable> => {
  const endpoint = tokenEndpoint(config)
  return Either.map(
    identityParameter("WorkloadIdentity", identities, identity, Endpoint.printable(endpoint)),
    (selected) => {
      const form: Array<[string, string]> = [
        ["grant_type", "client_credentials"],
        ["client_id", selected === undefined ? config.clientId : selected[1]],
        ["scope", toScope(resource)],
        ["client_assertion_type", CLIENT_ASSERTION_TYPE],
        ["client_assertion", assertion]
      ]
      if (claims !== undefined && claims !== "") form.push(["claims", claims])
      return HttpRequest.postForm(endpoint, form)
    }
  )
}

/**
 * The workload identity source: reads the token file, then exchanges it at Entra.
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import * as Either from "effect/Either"
 * import { WorkloadIdentitySource } from "@managed-identity/core"
 *
 * const config = WorkloadIdentitySource.fromVariables({
 *   AZURE_FEDERATED_TOKEN_FILE: "/var/run/secrets/azure/tokens/azure-identity-token",
 *   AZURE_CLIENT_ID: "00000000-0000-0000-0000-000000000001",
 *   AZURE_TENANT_ID: "00000000-0000-0000-0000-0000000000aa"
 * })
 * const source = WorkloadIdentitySource.make(Either.getOrThrow(config))
 * ```
 */
export const make = (config: Config): Source => {
  const endpoint = Endpoint.printable(tokenEndpoint(config))
  const unreadable = (reason: string) =>
    new Unavailable({
      source: "WorkloadIdentity",
      reason: reason === "unsupported" ? "unsupported-runtime" : "not-configured",
      message: `WorkloadIdentity: cannot read the federated token file ${config.tokenFile} (${reason})`,
      attempts: 0,
      elapsedMs: 0,
      endpoint
    })
  const empty = new Unavailable({
    source: "WorkloadIdentity",
    reason: "not-configured",
    message: `WorkloadIdentity: the federated token file ${config.tokenFile} does not hold a token`,
    attempts: 0,
    elapsedMs: 0,
    endpoint
  })
  // The file is read on every request: Kubernetes rotates it. Entra refusing the assertion as
  // expired (AADSTS700024, in its structured `error_codes`) means the kubelet may have rotated the
  // file since it was read: read it again and ask once more.
  const exchangeWith = (
    identity: Identity.Identity,
    resource: Resource,
    claims: string | undefined,
    retried: boolean
  ): Step => ({
    _tag: "ReadText",
    path: config.tokenFile,
    maxBytes: MAX_ASSERTION_BYTES,
    next: (read: Either.Either<string, FileError>) => {
      if (Either.isLeft(read)) return failed(unreadable(read.left.reason))
      const assertion = read.right.trim()
      if (assertion === "" || /\s/.test(assertion)) return failed(empty)
      const built = request(config, identity, resource, assertion, claims)
      if (Either.isLeft(built)) return failed(built.left)
      const exchange = {
        source: "WorkloadIdentity" as const,
        rules: descriptor.classification,
        endpoint,
        resource,
        secrets: [assertion]
      }
      return send(exchange, built.right, {
        next: (answer, at) => {
          const result = interpret(answer, exchange, at)
          return !retried && Either.isLeft(result) && isExpiredAssertion(result.left)
            ? exchangeWith(identity, resource, claims, true)
            : settle(result)
        }
      })
    }
  })
  return {
    name: "WorkloadIdentity",
    descriptor,
    endpoint,
    files: [{ path: config.tokenFile, kind: "file", purpose: "the federated token" }],
    start: ({ identity, resource, claims }) => exchangeWith(identity, resource, claims, false)
  }
}

/**
 * Entra's code for a client assertion outside its validity window.
 *
 * @since 0.1.0
 * @category constants
 */
export const EXPIRED_ASSERTION_CODE = 700024

const isExpiredAssertion = (error: EndpointError): boolean =>
  error._tag === "Rejected" && error.evidence?.codes?.includes(EXPIRED_ASSERTION_CODE) === true

/**
 * Everything about workload identity federation.
 *
 * @since 0.1.0
 * @category descriptors
 * @example
 * ```ts
 * import { WorkloadIdentitySource } from "@managed-identity/core"
 *
 * WorkloadIdentitySource.descriptor.identities.ClientId // "client_id"
 * ```
 */
export const descriptor: Descriptor = {
  name: "WorkloadIdentity",
  displayName: "workload identity (Kubernetes federation)",
  variables: [
    { variable: AZURE_FEDERATED_TOKEN_FILE, role: "service-account token file", required: true, signals: true },
    { variable: AZURE_CLIENT_ID, role: "client id of the app", required: true, signals: false },
    { variable: AZURE_TENANT_ID, role: "Entra tenant", required: true, signals: false },
    {
      variable: AZURE_AUTHORITY_HOST,
      role: "Entra authority",
      required: false,
      signals: false,
      check: Endpoint.check(AZURE_AUTHORITY_HOST.name)
    }
  ],
  identities,
  certificatePinning: false,
  claims: "entra",
  retry: RetryPolicy.workloadIdentity,
  classification: {},
  advice: {
    selected: () =>
      `${AZURE_FEDERATED_TOKEN_FILE.name}, ${AZURE_CLIENT_ID.name} and ${AZURE_TENANT_ID.name} are set, so the pod's service-account token is exchanged at Microsoft Entra for an access token (workload identity federation).`,
    unreachable: `Check ${AZURE_AUTHORITY_HOST.name} and that the pod can reach Microsoft Entra.`,
    slow: "Microsoft Entra is slow to answer; the request is retried with exponential backoff.",
    userAssigned: `Workload identity selects the app by client id: pass clientId or set ${AZURE_CLIENT_ID.name}.`
  },
  build: (variables) => Either.map(fromVariables(variables), make)
}
