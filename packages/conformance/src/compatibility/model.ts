/**
 * The shape of a compatibility case: one observable behaviour of an official SDK's managed-identity
 * test, replayed against the emulator with scripted replies, with the requests the emulator must
 * record and the outcome the credential must give. Plain data plus a few builders; Web APIs only.
 *
 * @since 0.1.0
 */
import type { EndpointName, SourceKey } from "../Suite.js"

/**
 * What the emulator does to the next request(s) instead of its normal answer: a scripted reply
 * (a `reply` fault), or one of its other fault actions in compact form (`slow=300`, `reset`),
 * once unless `times` says more. Installed in order, so they play in order.
 *
 * @since 0.1.0
 * @category models
 */
export type Scripted = (
  | {
      readonly status: number
      readonly headers?: Readonly<Record<string, string>>
      readonly body?: string
      readonly action?: undefined
    }
  | { readonly action: string; readonly status?: undefined; readonly body?: undefined }
) & {
  /** How many matching requests get it (default 1); `"always"` until the case ends. */
  readonly times?: number | "always"
  /** Which emulator endpoint answers it (default: the case's source's). */
  readonly endpoint?: EndpointName
}

/**
 * What a recorded value must be: exactly this text, a match, present (`true`: secrets are
 * redacted in the emulator's log) or absent (`null`).
 *
 * @since 0.1.0
 * @category models
 */
export type Expected = string | RegExp | true | null

/**
 * One request the emulator must record, in order.
 *
 * @since 0.1.0
 * @category models
 */
export interface ExpectedRequest {
  /** Default: the case's source's endpoint. */
  readonly endpoint?: EndpointName
  readonly method: "GET" | "POST"
  /** Default: the path of the endpoint the environment names. */
  readonly path?: string | RegExp
  readonly query?: Readonly<Record<string, Expected>>
  /** No query parameter besides those `query` expects present. */
  readonly exactQuery?: boolean
  readonly form?: Readonly<Record<string, Expected>>
  readonly exactForm?: boolean
  /** Header names in lower case. */
  readonly headers?: Readonly<Record<string, Expected>>
  /** It arrives at least this many milliseconds after the previous request. */
  readonly afterPreviousMs?: number
}

/**
 * What one `getToken` call must give.
 *
 * @since 0.1.0
 * @category models
 */
export type Outcome =
  | {
      readonly kind: "token"
      /** The exact token; omitted for the emulator's own JWTs. */
      readonly token?: string
      /** Claims the (emulator's) JWT must carry. */
      readonly claims?: Readonly<Record<string, string>>
      /** `expiresOnTimestamp` = now + this many seconds (±3 s). */
      readonly expiresIn?: number
      /** `refreshAfterTimestamp` = now + this many seconds (±3 s). */
      readonly refreshIn?: number
    }
  | {
      readonly kind: "error"
      /** `CredentialUnavailableError`, `AuthenticationError` or `InvalidArgumentError`. */
      readonly error: "unavailable" | "authentication" | "invalid-argument"
      readonly statusCode?: number
      /** Fragments the message must contain (strings case-sensitively). */
      readonly message?: ReadonlyArray<string | RegExp>
    }

/**
 * One `getToken` call of a case.
 *
 * @since 0.1.0
 * @category models
 */
export interface Step {
  /** Default: `https://management.azure.com/.default`. */
  readonly scopes?: string | ReadonlyArray<string>
  readonly claims?: string
  readonly expect: Outcome
}

/**
 * The fixture files the Node side writes before a run (Azure Arc key files and their
 * look-alikes, paths that do not exist), for cases that cannot write files themselves.
 *
 * @since 0.1.0
 * @category models
 */
export interface Fixtures {
  /** A valid key file in the Arc key directory. */
  readonly arcKey: string
  /** Its content (never to appear in a message). */
  readonly arcKeyContent: string
  /** A file in the key directory whose name does not end in `.key`. */
  readonly arcNotKey: string
  /** A 5000-byte `.key` file in the key directory. */
  readonly arcOversized: string
  /** A `.key` file in a sub-directory of the key directory. */
  readonly arcNested: string
  /** A `.key` file outside the key directory. */
  readonly arcOutside: string
  /** A `.key` path in the key directory where no file is. */
  readonly arcMissing: string
  /** A federated token file path where no file is. */
  readonly missingTokenFile: string
}

/**
 * What a case's functions can read: the time it started and the run's setup.
 *
 * @since 0.1.0
 * @category models
 */
export interface CaseContext {
  /** Epoch seconds when the case started. */
  readonly now: number
  readonly fixtures: Fixtures
  /** The emulator's variables for the case's source. */
  readonly env: Readonly<Record<string, string>>
  /** The emulator's base URL (`http://127.0.0.1:<port>`). */
  readonly emulatorUrl: string
}

/**
 * A runtime capability a case may need (see `Suite.Capabilities`).
 *
 * @since 0.1.0
 * @category models
 */
export type Requirement = "fileSystem" | "certificatePinning" | "proxyAuthenticationStatus"

/**
 * One compatibility case. Its title is `<origin> › <detail>`.
 *
 * @since 0.1.0
 * @category models
 */
export interface CompatibilityCase {
  /** `owner/repo/path#Test name`, exactly as in the SDK's repository. */
  readonly origin: string
  /** The row, variant or adaptation, and what the case shows. */
  readonly detail: string
  readonly source: SourceKey
  /**
   * What the runtime must be able to do for the case to run as written; by default what its source
   * needs (a file system for Arc and workload identity, pinning for Service Fabric).
   */
  readonly requires?: ReadonlyArray<Requirement>
  /**
   * What the case checks instead on a runtime that lacks one of `requires`; by default, that the
   * credential refuses with `CredentialUnavailableError` before any request.
   */
  readonly otherwise?: Pick<CompatibilityCase, "detail" | "replies" | "requests" | "steps">
  /** Changes to the source's variables; `null` removes one. */
  readonly env?: (context: CaseContext) => Readonly<Record<string, string | null>>
  readonly identity?: { readonly clientId?: string; readonly objectId?: string; readonly resourceId?: string }
  /** `false`: the credential's retries are turned off (`managedIdentity.retry: false`). */
  readonly retry?: false
  readonly replies?: (context: CaseContext) => ReadonlyArray<Scripted>
  readonly requests: ReadonlyArray<ExpectedRequest>
  readonly steps: ReadonlyArray<Step>
}

// ---------------------------------------------------------------------------------------------
// Builders
// ---------------------------------------------------------------------------------------------

/**
 * The scope every case asks for unless it says otherwise, and the resource it becomes.
 *
 * @since 0.1.0
 * @category constants
 */
export const ARM_SCOPE = "https://management.azure.com/.default"

/**
 * The resource `ARM_SCOPE` asks for, as the endpoints receive it.
 *
 * @since 0.1.0
 * @category constants
 */
export const ARM = "https://management.azure.com"

type ReplyExtra = {
  readonly headers?: Readonly<Record<string, string>>
  readonly times?: number | "always"
  readonly endpoint?: EndpointName
}

/**
 * A JSON reply with Azure's content type.
 *
 * @since 0.1.0
 * @category builders
 */
export const json = (status: number, value: unknown, extra: ReplyExtra = {}): Scripted => ({
  status,
  ...extra,
  headers: { "content-type": "application/json; charset=utf-8", ...extra.headers },
  body: typeof value === "string" ? value : JSON.stringify(value)
})

/**
 * A reply whose body is plain text (or nothing), with the content type given, if any.
 *
 * @since 0.1.0
 * @category builders
 */
export const text = (status: number, body: string, contentType?: string, extra: ReplyExtra = {}): Scripted => ({
  status,
  ...extra,
  headers: { ...(contentType === undefined ? {} : { "content-type": contentType }), ...extra.headers },
  body
})

/**
 * The same reply for `times` requests.
 *
 * @since 0.1.0
 * @category builders
 */
export const repeat = (reply: Scripted, times: number | "always"): Scripted => ({ ...reply, times })

const base64url = (value: string): string => btoa(value).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "")

/**
 * An unsigned-looking JWT with these claims (the signature is not a real one: nothing here
 * verifies it), for cases about what a token says.
 *
 * @since 0.1.0
 * @category builders
 */
export const jwt = (claims: Readonly<Record<string, unknown>>): string =>
  `${base64url(JSON.stringify({ typ: "JWT", alg: "RS256", kid: "compatibility" }))}.${base64url(JSON.stringify(claims))}.c2lnbmF0dXJl`

/**
 * An IMDS token request: `GET` with `Metadata: true`, api-version 2018-02-01.
 *
 * @since 0.1.0
 * @category builders
 */
export const imdsRequest = (query: Readonly<Record<string, Expected>> = {}): ExpectedRequest => ({
  method: "GET",
  path: "/metadata/identity/oauth2/token",
  query: { "api-version": "2018-02-01", resource: ARM, ...query },
  exactQuery: true,
  headers: { metadata: "true" }
})

/**
 * An App Service (2019-08-01) token request: `GET` with `X-IDENTITY-HEADER`.
 *
 * @since 0.1.0
 * @category builders
 */
export const appServiceRequest = (query: Readonly<Record<string, Expected>> = {}): ExpectedRequest => ({
  method: "GET",
  query: { "api-version": "2019-08-01", resource: ARM, ...query },
  exactQuery: true,
  headers: { "x-identity-header": true, secret: null }
})

/**
 * An Azure ML (2017-09-01) token request: `GET` with the `secret` header and `Metadata: true`.
 *
 * @since 0.1.0
 * @category builders
 */
export const azureMlRequest = (query: Readonly<Record<string, Expected>> = {}): ExpectedRequest => ({
  method: "GET",
  query: { "api-version": "2017-09-01", resource: ARM, ...query },
  exactQuery: true,
  headers: { secret: true, metadata: "true", "x-identity-header": null }
})

/**
 * A Cloud Shell token request: `POST` of the form `resource=…`, `Metadata: true`, no query.
 *
 * @since 0.1.0
 * @category builders
 */
export const cloudShellRequest = (form: Readonly<Record<string, Expected>> = {}): ExpectedRequest => ({
  method: "POST",
  query: {},
  exactQuery: true,
  form: { resource: ARM, ...form },
  exactForm: true,
  headers: { metadata: "true", "content-type": /^application\/x-www-form-urlencoded/i }
})

/**
 * An Azure Arc token request (api-version 2020-06-01, `Metadata: true`), the first one without
 * `Authorization`, the one after the challenge with it.
 *
 * @since 0.1.0
 * @category builders
 */
export const arcRequest = (
  authenticated: boolean,
  query: Readonly<Record<string, Expected>> = {}
): ExpectedRequest => ({
  method: "GET",
  query: { "api-version": "2020-06-01", resource: ARM, ...query },
  exactQuery: true,
  headers: { metadata: "true", authorization: authenticated ? /^\[REDACTED\]$/ : null }
})

/**
 * A Service Fabric token request: `GET` over HTTPS with the `secret` header, api-version
 * 2019-07-01-preview.
 *
 * @since 0.1.0
 * @category builders
 */
export const serviceFabricRequest = (query: Readonly<Record<string, Expected>> = {}): ExpectedRequest => ({
  method: "GET",
  query: { "api-version": "2019-07-01-preview", resource: ARM, ...query },
  exactQuery: true,
  headers: { secret: true, "x-identity-header": null }
})

/**
 * A token request to Entra with the federated token as client assertion (workload identity).
 *
 * @since 0.1.0
 * @category builders
 */
export const entraRequest = (form: Readonly<Record<string, Expected>> = {}): ExpectedRequest => ({
  method: "POST",
  form: {
    client_assertion: true,
    client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
    grant_type: "client_credentials",
    scope: ARM_SCOPE,
    ...form
  },
  headers: { "content-type": /^application\/x-www-form-urlencoded/i }
})

/**
 * A token with this value, valid for `expiresIn` seconds from now.
 *
 * @since 0.1.0
 * @category builders
 */
export const token = (value: string, expiresIn?: number, refreshIn?: number): Outcome => ({
  kind: "token",
  token: value,
  ...(expiresIn === undefined ? {} : { expiresIn }),
  ...(refreshIn === undefined ? {} : { refreshIn })
})

/**
 * One of the emulator's own tokens (a JWT), with these claims.
 *
 * @since 0.1.0
 * @category builders
 */
export const emulatorToken = (claims: Readonly<Record<string, string>> = {}): Outcome => ({ kind: "token", claims })

/**
 * A `CredentialUnavailableError`.
 *
 * @since 0.1.0
 * @category builders
 */
export const unavailable = (...message: ReadonlyArray<string | RegExp>): Outcome => ({
  kind: "error",
  error: "unavailable",
  message
})

/**
 * An `AuthenticationError`, with its `statusCode` when given.
 *
 * @since 0.1.0
 * @category builders
 */
export const rejected = (statusCode: number | undefined, ...message: ReadonlyArray<string | RegExp>): Outcome => ({
  kind: "error",
  error: "authentication",
  ...(statusCode === undefined ? {} : { statusCode }),
  message
})

/**
 * An `InvalidArgumentError`.
 *
 * @since 0.1.0
 * @category builders
 */
export const invalidArgument = (...message: ReadonlyArray<string | RegExp>): Outcome => ({
  kind: "error",
  error: "invalid-argument",
  message
})

/**
 * `count` copies of a request, for retries.
 *
 * @since 0.1.0
 * @category builders
 */
export const times = (count: number, request: ExpectedRequest): ReadonlyArray<ExpectedRequest> =>
  Array.from({ length: count }, () => request)

/**
 * MSAL.NET's success body (`MockHelpers.GetMsiSuccessfulResponse`): `expires_on` as a numeric
 * string, one hour from now by default.
 *
 * @since 0.1.0
 * @category fixtures
 */
export const netSuccess = (now: number, expiresIn = 3600, accessToken = "some-access-token"): Scripted =>
  json(200, {
    access_token: accessToken,
    expires_on: String(now + expiresIn),
    resource: "https://management.azure.com/",
    token_type: "Bearer",
    client_id: "client_id"
  })

/**
 * MSAL-Go's success body (`getSuccessfulResponse`): `expires_in` 600 or `expires_on` an hour away,
 * as numbers.
 *
 * @since 0.1.0
 * @category fixtures
 */
export const goSuccess = (now: number, withExpiresIn: boolean, status = 200): Scripted =>
  json(
    status,
    withExpiresIn
      ? { access_token: "fake-access-token", expires_in: 600, resource: ARM, token_type: "Bearer" }
      : { access_token: "fake-access-token", expires_on: now + 3600, resource: ARM, token_type: "Bearer" }
  )

/**
 * MSAL.NET's IDs (`TestConstants`).
 *
 * @since 0.1.0
 * @category fixtures
 */
export const NET_IDS = {
  clientId: "d3adb33f-c0de-ed0c-c0de-deadb33fc0d3",
  objectId: "593b2662-5af7-4a90-a9cb-5a9de615b82f",
  resourceId:
    "/subscriptions/ffa4aaa2-4444-4444-5555-e3ccedd3d046/resourcegroups/UAMI_group/providers/Microsoft.ManagedIdentityClient/userAssignedIdentities/UAMI"
} as const

/**
 * MSAL.NET's App Service error body (`MockHelpers.GetMsiErrorResponse(AppService)`).
 *
 * @since 0.1.0
 * @category fixtures
 */
export const NET_APP_SERVICE_ERROR = {
  statusCode: 500,
  message: "An unexpected error occured while fetching the AAD Token.",
  correlationId: "4ce26535-1769-4001-96e3-9019ce00922d"
} as const

/**
 * MSAL.NET's IMDS error body (`MockHelpers.GetMsiImdsErrorResponse`).
 *
 * @since 0.1.0
 * @category fixtures
 */
export const NET_IMDS_ERROR = {
  error: "invalid_resource",
  error_description:
    "AADSTS500011: The resource principal named user.read was not found in the tenant named Microsoft. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant.\r\nTrace ID: 2dff494a-0226-4f41-8859-d9f560ca8903\r\nCorrelation ID: 77145480-bc5a-4ebe-ae4d-e4a8b7d727cf\r\nTimestamp: 2022-11-10 23:12:37Z",
  error_codes: [500011],
  timestamp: "2022-11-10 23:12:37Z",
  trace_id: "2dff494a-0226-4f41-8859-d9f560ca8903",
  correlation_id: "77145480-bc5a-4ebe-ae4d-e4a8b7d727cf",
  error_uri: "https://westus2.login.microsoft.com/error?code=500011"
} as const

/**
 * msal-node's error body for IMDS, Arc and Service Fabric (`test_kit/StringConstants.ts`).
 *
 * @since 0.1.0
 * @category fixtures
 */
export const MSAL_NODE_ERROR = {
  error: "fake_error",
  error_description: "There was an error retrieving the access token from the managed identity.",
  error_codes: ["fake_error_code"],
  timestamp: "fake_timestamp",
  trace_id: "fake_trace_id",
  correlation_id: "fake_correlation_id"
} as const

/**
 * The source-relative repository paths the origins start with.
 *
 * @since 0.1.0
 * @category fixtures
 */
export const ORIGINS = {
  net: "AzureAD/microsoft-authentication-library-for-dotnet/tests/Microsoft.Identity.Test.Unit/ManagedIdentityTests",
  msalGo: "AzureAD/microsoft-authentication-library-for-go/apps/managedidentity",
  msalNode: "AzureAD/microsoft-authentication-library-for-js/lib/msal-node/test/client/ManagedIdentitySources",
  msalPython: "AzureAD/microsoft-authentication-library-for-python/tests/test_mi.py",
  azidentity: "Azure/azure-sdk-for-go/sdk/azidentity",
  azureIdentityPython: "Azure/azure-sdk-for-python/sdk/identity/azure-identity/tests",
  azureIdentityJs: "Azure/azure-sdk-for-js/sdk/identity/identity/test/internal/node"
} as const

/**
 * An epoch-seconds time as the 2017-09-01 endpoints write `expires_on`: `MM/DD/YYYY HH:mm:ss +00:00`
 * (Linux) or `M/D/YYYY h:mm:ss AM +00:00` (Windows), in UTC.
 *
 * @since 0.1.0
 * @category fixtures
 */
export const legacyDate = (epochSeconds: number, style: "linux" | "windows"): string => {
  const date = new Date(epochSeconds * 1000)
  const pad = (n: number) => String(n).padStart(2, "0")
  const hours = date.getUTCHours()
  const [month, day, year] = [date.getUTCMonth() + 1, date.getUTCDate(), date.getUTCFullYear()]
  const clock = `${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}`
  return style === "linux"
    ? `${pad(month)}/${pad(day)}/${year} ${pad(hours)}:${clock} +00:00`
    : `${month}/${day}/${year} ${hours % 12 === 0 ? 12 : hours % 12}:${clock} ${hours < 12 ? "AM" : "PM"} +00:00`
}
