/**
 * The sources that need more than `fetch`: Azure Arc (a key file named by the challenge), Service
 * Fabric (a pinned certificate) and workload identity (a federated token file). Where the runtime
 * cannot read files or pin, every one of these cases becomes "refused before any request".
 *
 * @since 0.1.0
 */
import {
  ARM,
  arcRequest,
  type CompatibilityCase,
  emulatorToken,
  entraRequest,
  type Fixtures,
  goSuccess,
  invalidArgument,
  json,
  MSAL_NODE_ERROR,
  NET_APP_SERVICE_ERROR,
  NET_IDS,
  netSuccess,
  ORIGINS,
  rejected,
  repeat,
  type Scripted,
  serviceFabricRequest,
  text,
  times,
  token,
  unavailable
} from "./model.js"

const { net, msalGo, msalNode, msalPython, azidentity } = ORIGINS

/** Azure Arc's 401 challenge naming `path` as the key file. */
const challenge = (path: string): Scripted =>
  json(
    401,
    { error: "unauthorized", error_description: "Authorization header is required" },
    {
      headers: { "www-authenticate": `Basic realm=${path}` }
    }
  )

/** MSAL-Go's expected outcome of a refused challenge: one request, the key never sent. */
const refusedChallenge = (
  detail: string,
  realm: (fixtures: Fixtures) => string,
  origin = `${msalGo}/managedidentity_test.go#TestAzureArcErrors`
): CompatibilityCase => ({
  origin,
  detail: `${detail}: refused without reading or sending the key, one request`,
  source: "arc",
  replies: ({ now, fixtures }) => [challenge(realm(fixtures)), goSuccess(now, true)],
  requests: [arcRequest(false)],
  steps: [{ expect: rejected(undefined) }]
})

export const arcCases: ReadonlyArray<CompatibilityCase> = [
  {
    origin: `${msalGo}/managedidentity_test.go#TestAzureArc`,
    detail:
      "401 with Basic realm=<key file>, then the request again with Authorization: Basic <key>; api-version 2020-06-01; then the cache",
    source: "arc",
    replies: ({ now, fixtures }) => [challenge(fixtures.arcKey), goSuccess(now, true)],
    requests: [arcRequest(false), arcRequest(true)],
    steps: [
      { scopes: `${ARM}/.default`, expect: token("fake-access-token", 600) },
      { scopes: `${ARM}/.default`, expect: token("fake-access-token", 600) }
    ]
  },
  {
    origin: `${msalNode}/AzureArc.spec.ts#attempts to acquire a token, a 401 and www-authenticate header are returned from the azure arc managed identity, then retries the network request with the www-authenticate header`,
    detail:
      "against the emulator's own challenge: it writes a fresh key file, accepts only its content, and issues a token",
    source: "arc",
    requests: [arcRequest(false), arcRequest(true)],
    steps: [{ expect: emulatorToken({ aud: "https://management.azure.com" }) }]
  },
  {
    origin: `${msalPython}#ArcTestCase.test_happy_path`,
    detail:
      'expires_in "1234" as a string; the cache; a claims challenge goes through the challenge again without a token hash',
    source: "arc",
    replies: ({ fixtures }) => [
      challenge(fixtures.arcKey),
      json(200, '{"access_token": "AT", "expires_in": "1234", "resource": "R"}'),
      challenge(fixtures.arcKey),
      json(200, '{"access_token": "AT", "expires_in": "1234", "resource": "R"}')
    ],
    requests: [
      arcRequest(false, { resource: "R" }),
      arcRequest(true, { resource: "R" }),
      arcRequest(false, { resource: "R", token_sha256_to_refresh: null }),
      arcRequest(true, { resource: "R", token_sha256_to_refresh: null })
    ],
    steps: [
      { scopes: "R", expect: token("AT", 1234) },
      { scopes: "R", expect: token("AT", 1234) },
      { scopes: "R", claims: "foo", expect: token("AT", 1234) }
    ]
  },
  {
    origin: `${net}/AzureArcTests.cs#AzureArcAuthHeaderMissingAsync`,
    detail: "a 401 without WWW-Authenticate: an error naming the missing header, nothing else sent",
    source: "arc",
    replies: () => [json(401, { error: "unauthorized" })],
    requests: [arcRequest(false)],
    steps: [{ expect: rejected(undefined, "WWW-Authenticate") }]
  },
  {
    origin: `${msalGo}/managedidentity_test.go#TestAzureArcErrors`,
    detail: 'Basic realm= not found ("Basic "): an error, the request not repeated',
    source: "arc",
    replies: ({ now }) => [
      json(401, { error: "unauthorized" }, { headers: { "www-authenticate": "Basic " } }),
      goSuccess(now, true)
    ],
    requests: [arcRequest(false)],
    steps: [{ expect: rejected(undefined, "WWW-Authenticate") }]
  },
  {
    origin: `${net}/AzureArcTests.cs#AzureArcAuthHeaderInvalidAsync`,
    detail: 'the challenge "somefile=filename" is not Basic realm=<path>: an error, the request not repeated',
    source: "arc",
    replies: ({ now }) => [
      json(401, { error: "unauthorized" }, { headers: { "www-authenticate": "somefile=filename" } }),
      goSuccess(now, true)
    ],
    requests: [arcRequest(false)],
    steps: [{ expect: rejected(undefined) }]
  },
  refusedChallenge(
    "the realm names a file that does not end in .key",
    (f) => f.arcNotKey,
    `${msalNode}/AzureArc.spec.ts#throws an error if the www-authenticate header has been returned from the azure arc managed identity, but the file in the file path is not a .key file`
  ),
  refusedChallenge(
    "the realm names a .key file in a sub-directory of the key directory (it must be a direct child)",
    (f) => f.arcNested,
    `${msalNode}/AzureArc.spec.ts#throws an error if the www-authenticate header has been returned from the azure arc managed identity, but the path of the secret file from the www-authenticate header is not in the expected Windows or Linux formats`
  ),
  refusedChallenge(
    "the realm names a .key file larger than 4096 bytes",
    (f) => f.arcOversized,
    `${msalNode}/AzureArc.spec.ts#throws an error if the www-authenticate header has been returned from the azure arc managed identity, but the size of the secret file from the www-authenticate header is greater than 4096 bytes`
  ),
  refusedChallenge(
    "the realm names a .key file that does not exist",
    (f) => f.arcMissing,
    `${msalNode}/AzureArc.spec.ts#throws an error if the secret file cannot be found/read`
  ),
  refusedChallenge("Invalid file path: a relative path/to/secret.key", () => "path/to/secret.key"),
  refusedChallenge("Invalid file extension: /path/to/secret.txt", () => "/path/to/secret.txt"),
  refusedChallenge(
    "the realm climbs out of the key directory with ..",
    (f) =>
      `${f.arcKey.slice(0, f.arcKey.lastIndexOf("/"))}/../${f.arcOutside.slice(f.arcOutside.lastIndexOf("/") + 1)}`,
    `${net}/AzureArcTests.cs#AzureArcAuthHeaderInvalidAsync`
  ),
  refusedChallenge(
    "realm=/tmp/foo (MSAL Python rebuilds <key dir>/foo.key): not a .key file in the key directory",
    () => "/tmp/foo",
    `${msalPython}#ArcTestCase.test_happy_path`
  ),
  {
    origin: `${msalPython}#ArcTestCase.test_arc_error_should_be_normalized`,
    detail:
      'the challenge, then a 400 whose body is plain "undefined" (not the endpoint\'s JSON): CredentialUnavailableError quoting it',
    source: "arc",
    replies: ({ fixtures }) => [challenge(fixtures.arcKey), text(400, "undefined")],
    requests: [arcRequest(false, { resource: "R" }), arcRequest(true, { resource: "R" })],
    steps: [{ scopes: "R", expect: unavailable("400", "undefined") }]
  },
  {
    origin: `${msalNode}/AzureArc.spec.ts#ensures that the error format is correct`,
    detail:
      "the challenge, then a JSON 400 (fake_error): AuthenticationError 400 keeping error, description, correlation id",
    source: "arc",
    replies: ({ fixtures }) => [challenge(fixtures.arcKey), json(400, MSAL_NODE_ERROR)],
    requests: [arcRequest(false), arcRequest(true)],
    steps: [{ expect: rejected(400, "fake_error", MSAL_NODE_ERROR.error_description, "fake_correlation_id") }]
  },
  ...(
    [
      ["ClientId", { clientId: NET_IDS.clientId }],
      ["ResourceId", { resourceId: NET_IDS.resourceId }],
      ["ObjectId", { objectId: NET_IDS.objectId }]
    ] as const
  ).map(
    ([row, identity]): CompatibilityCase => ({
      origin: `${net}/AzureArcTests.cs#AzureArcUserAssignedManagedIdentityNotSupportedAsync`,
      detail: `row ${row}: Arc has only the machine's identity: CredentialUnavailableError, nothing sent`,
      source: "arc",
      identity,
      requests: [],
      steps: [{ expect: unavailable() }]
    })
  ),
  {
    origin: `${azidentity}/managed_identity_credential_test.go#TestManagedIdentityCredential_AzureArcErrors`,
    detail:
      "unexpected status code: a 200 to the first request is read as the token (as msal-node and MSAL.NET do; azidentity refuses)",
    source: "arc",
    replies: ({ now }) => [netSuccess(now)],
    requests: [arcRequest(false)],
    steps: [{ expect: token("some-access-token", 3600) }]
  },
  {
    origin: `${msalGo}/managedidentity_test.go#TestRetryFunction`,
    detail: "AzureArc row: a 500 first is retried; the retry meets the challenge, then the token: 3 requests",
    source: "arc",
    replies: ({ now, fixtures }) => [text(500, "Failed"), challenge(fixtures.arcKey), goSuccess(now, true)],
    requests: [arcRequest(false), arcRequest(false), arcRequest(true)],
    steps: [{ expect: token("fake-access-token", 600) }]
  },
  {
    origin: `${net}/DefaultRetryPolicyTests.cs#SAMIFails500Permanently`,
    detail: "row AzureArc: 500 before any challenge, every time: 6 requests, then AuthenticationError 500",
    source: "arc",
    replies: () => [repeat(json(500, NET_APP_SERVICE_ERROR), "always")],
    requests: times(6, arcRequest(false)),
    steps: [{ scopes: ARM, expect: rejected(500) }]
  },
  {
    origin: `${net}/ManagedIdentityTests.cs#ManagedIdentityNullResponseAsync`,
    detail: "row AzureArc: the challenge, then a 200 with an empty body: an invalid response",
    source: "arc",
    replies: ({ fixtures }) => [challenge(fixtures.arcKey), text(200, "")],
    requests: [arcRequest(false), arcRequest(true)],
    steps: [{ expect: rejected(undefined, /empty/) }]
  },
  {
    origin: `${net}/ManagedIdentityTests.cs#ManagedIdentityWithClaimsTestAsync`,
    detail: "row AzureArc, against the emulator's own challenge: claims skip the cache, no token hash is sent",
    source: "arc",
    requests: [
      arcRequest(false),
      arcRequest(true),
      arcRequest(false, { token_sha256_to_refresh: null }),
      arcRequest(true, { token_sha256_to_refresh: null })
    ],
    steps: [
      { expect: emulatorToken() },
      { claims: '{"access_token":{"xms_cc":{"values":["cp1"]}}}', expect: emulatorToken() }
    ]
  }
]

/** Entra's answer to a client assertion outside its validity window (AADSTS700024). */
const assertionExpired = (now: number): Scripted =>
  json(400, {
    error: "invalid_client",
    error_description: `AADSTS700024: Client assertion is not within its valid time range. Current time: ${new Date(now * 1000).toISOString()}, expiry time of assertion ${new Date((now - 60) * 1000).toISOString()}. Trace ID: 6a3e5b0c-0000-4000-8000-000000700024 Correlation ID: 0c1f9d2e-0000-4000-8000-000000700024`,
    error_codes: [700024],
    trace_id: "6a3e5b0c-0000-4000-8000-000000700024",
    correlation_id: "0c1f9d2e-0000-4000-8000-000000700024",
    error_uri: "https://login.microsoftonline.com/error?code=700024"
  })

/** Entra's success body. */
const entraToken = (accessToken: string): Scripted =>
  json(200, { token_type: "Bearer", expires_in: 3599, ext_expires_in: 3599, access_token: accessToken })

/** The same `IDENTITY_ENDPOINT`, but plain HTTP on the emulator's HTTP port. */
const overHttp = (emulatorUrl: string): string => `${emulatorUrl}/servicefabric/metadata/identity/oauth2/token`

export const serviceFabricCases: ReadonlyArray<CompatibilityCase> = [
  {
    origin: `${azidentity}/managed_identity_credential_test.go#TestManagedIdentityCredential_ServiceFabric`,
    detail: "GET with the secret header, api-version 2019-07-01-preview, resource without /.default, over pinned HTTPS",
    source: "servicefabric",
    replies: ({ now }) => [
      json(200, {
        token_type: "Bearer",
        access_token: "eyJ0eXAiO.fabric",
        expires_on: now + 3600,
        resource: "https://vault.azure.net/"
      })
    ],
    requests: [serviceFabricRequest({ resource: "https://vault.azure.net" })],
    steps: [{ scopes: "https://vault.azure.net/.default", expect: token("eyJ0eXAiO.fabric", 3600) }]
  },
  {
    origin: `${msalGo}/servicefabric_test.go#TestServiceFabricAcquireTokenWithPinnedCertificate`,
    detail: "the pinned certificate matches: one request, expires_in 600; the second call comes from the cache",
    source: "servicefabric",
    replies: ({ now }) => [goSuccess(now, true)],
    requests: [serviceFabricRequest()],
    steps: [
      { scopes: `${ARM}/.default`, expect: token("fake-access-token", 600) },
      { scopes: `${ARM}/.default`, expect: token("fake-access-token", 600) }
    ]
  },
  {
    origin: `${msalGo}/servicefabric_test.go#TestServiceFabricRejectsMismatchedCertificateBeforeRequest`,
    detail: "thumbprint 0000…: the handshake fails, the request (and its secret) is never sent",
    source: "servicefabric",
    env: () => ({ IDENTITY_SERVER_THUMBPRINT: "0000000000000000000000000000000000000000" }),
    requests: [],
    steps: [{ expect: rejected(undefined, /certificate|pin|thumbprint/i) }]
  },
  {
    origin: `${msalGo}/servicefabric_test.go#TestServiceFabricRejectsUnsupportedClientsAndEndpoints`,
    detail: "HTTP endpoint: refused naming IDENTITY_ENDPOINT, nothing sent",
    source: "servicefabric",
    // A configuration error, refused before pinning matters: the same everywhere.
    requires: [],
    env: ({ emulatorUrl }) => ({ IDENTITY_ENDPOINT: overHttp(emulatorUrl) }),
    requests: [],
    steps: [{ expect: invalidArgument("IDENTITY_ENDPOINT") }]
  },
  {
    origin: `${msalGo}/servicefabric_test.go#TestServiceFabricRejectsUnsupportedClientsAndEndpoints`,
    detail: "invalid thumbprint (not-a-thumbprint): refused naming IDENTITY_SERVER_THUMBPRINT, nothing sent",
    source: "servicefabric",
    // A configuration error, refused before pinning matters: the same everywhere.
    requires: [],
    env: () => ({ IDENTITY_SERVER_THUMBPRINT: "not-a-thumbprint" }),
    requests: [],
    steps: [{ expect: invalidArgument("IDENTITY_SERVER_THUMBPRINT") }]
  },
  {
    origin: `${msalGo}/servicefabric_test.go#TestServiceFabricRejectsHTTPRedirectBeforeSendingSecret`,
    detail:
      "a 302 is not followed (the target gets nothing, the secret is not re-sent): CredentialUnavailableError, the endpoint never redirects",
    source: "servicefabric",
    replies: ({ emulatorUrl }) => [
      text(302, "", undefined, {
        headers: { location: `${emulatorUrl}/metadata/identity/oauth2/token?api-version=2018-02-01&resource=${ARM}` }
      })
    ],
    requests: [serviceFabricRequest()],
    steps: [{ expect: unavailable(/redirect/) }]
  },
  ...(
    [
      ["UserAssignedObjectID(ObjectId)", { objectId: "ObjectId" }],
      ["UserAssignedResourceID(resourceid)", { resourceId: "resourceid" }],
      ["UserAssignedClientID(ClientID)", { clientId: "ClientID" }]
    ] as const
  ).map(
    ([row, identity]): CompatibilityCase => ({
      origin: `${msalGo}/servicefabric_test.go#TestServiceFabricErrors`,
      detail: `${row}: Service Fabric's identity is set by the application manifest: CredentialUnavailableError, nothing sent`,
      source: "servicefabric",
      identity,
      requests: [],
      steps: [{ expect: unavailable() }]
    })
  ),
  {
    origin: `${net}/ServiceFabricTests.cs#ServiceFabricSendsPrincipalIdForObjectIdAsync`,
    detail: "an object id is refused before sending (MSAL.NET sends principalId, which the token service ignores)",
    source: "servicefabric",
    identity: { objectId: NET_IDS.objectId },
    requests: [],
    steps: [{ expect: unavailable() }]
  },
  {
    origin: `${msalPython}#ServiceFabricTestCase.test_unified_api_service_should_ignore_unnecessary_client_id`,
    detail: "client id foo: refused before sending (MSAL Python drops it and asks for the system identity)",
    source: "servicefabric",
    identity: { clientId: "foo" },
    requests: [],
    steps: [{ scopes: "R", expect: unavailable() }]
  },
  {
    origin: `${msalPython}#ServiceFabricTestCase.test_happy_path`,
    detail:
      "expires_on as a number; the cache; claims send token_sha256_to_refresh = the lowercase hex SHA-256 of the cached token",
    source: "servicefabric",
    replies: ({ now }) => [
      repeat(
        json(200, `{"access_token": "AT", "expires_on": ${now + 1234}, "resource": "R", "token_type": "Bearer"}`),
        2
      )
    ],
    requests: [
      serviceFabricRequest({ resource: "R" }),
      serviceFabricRequest({
        resource: "R",
        token_sha256_to_refresh: "eb5442705969dc8da5dfac8f9658dc68acdab5bb7635ba7cc551e389416ac34e"
      })
    ],
    steps: [
      { scopes: "R", expect: token("AT", 1234) },
      { scopes: "R", expect: token("AT", 1234) },
      { scopes: "R", claims: "foo", expect: token("AT", 1234) }
    ]
  },
  {
    origin: `${msalNode}/ServiceFabric.spec.ts#ignores a cached token when claims are provided (regardless of if client capabilities are provided or not) and the Managed Identity does support token revocation, and ensures the token revocation query parameter token_sha256_to_refresh is included in the network request to the Managed Identity`,
    detail: 'the cached "test_token" is revoked by its hash cc0af972…9656; the new token replaces it in the cache',
    source: "servicefabric",
    replies: ({ now }) => [netSuccess(now, 3600, "test_token"), netSuccess(now, 3600, "new_token")],
    requests: [
      serviceFabricRequest({ token_sha256_to_refresh: null }),
      serviceFabricRequest({
        token_sha256_to_refresh: "cc0af97287543b65da2c7e1476426021826cab166f1e063ed012b855ff819656"
      })
    ],
    steps: [
      { scopes: ARM, expect: token("test_token", 3600) },
      { scopes: ARM, expect: token("test_token", 3600) },
      { scopes: ARM, claims: '{"access_token":{"xms_cc":{"values":["cp1"]}}}', expect: token("new_token", 3600) },
      { scopes: ARM, expect: token("new_token", 3600) }
    ]
  },
  {
    origin: `${msalPython}#ServiceFabricTestCase.test_sf_error_should_be_normalized`,
    detail:
      "404 SecretHeaderNotFound: not retried on Service Fabric (its docs: do not retry 404); AuthenticationError 404 keeping code, message and the nested correlationId",
    source: "servicefabric",
    replies: () => [
      repeat(
        json(404, {
          error: {
            correlationId: "7d3f1a52-0000-4000-8000-000000000404",
            code: "SecretHeaderNotFound",
            message: "Secret is not found in the request headers."
          }
        }),
        "always"
      )
    ],
    requests: [serviceFabricRequest({ resource: "R" })],
    steps: [
      {
        scopes: "R",
        expect: rejected(
          404,
          "SecretHeaderNotFound",
          "Secret is not found in the request headers.",
          "7d3f1a52-0000-4000-8000-000000000404"
        )
      }
    ]
  },
  {
    origin: `${msalNode}/ServiceFabric.spec.ts#ensures that the error format is correct`,
    detail: "a JSON 400 (fake_error): AuthenticationError 400 keeping error, description and correlation id",
    source: "servicefabric",
    replies: () => [json(400, MSAL_NODE_ERROR)],
    requests: [serviceFabricRequest()],
    steps: [{ expect: rejected(400, "fake_error", MSAL_NODE_ERROR.error_description, "fake_correlation_id") }]
  },
  {
    origin: `${net}/DefaultRetryPolicyTests.cs#SAMIFails500Permanently`,
    detail: "row ServiceFabric: 1 + 5 requests, then AuthenticationError 500",
    source: "servicefabric",
    replies: () => [repeat(json(500, { error: { code: "InternalError", message: "boom" } }), "always")],
    requests: times(6, serviceFabricRequest()),
    steps: [{ scopes: ARM, expect: rejected(500, "InternalError") }]
  },
  {
    origin: `${net}/ManagedIdentityTests.cs#ManagedIdentityNullResponseAsync`,
    detail: "row ServiceFabric: a 200 with an empty body is an invalid response",
    source: "servicefabric",
    replies: () => [text(200, "")],
    requests: [serviceFabricRequest()],
    steps: [{ expect: rejected(undefined, /empty/) }]
  }
]

export const workloadIdentityCases: ReadonlyArray<CompatibilityCase> = [
  {
    origin: `${azidentity}/workload_identity_test.go#TestWorkloadIdentityCredential`,
    detail:
      "POST to <authority>/<tenant>/oauth2/v2.0/token with the file as client_assertion and AZURE_CLIENT_ID; then the cache",
    source: "workloadidentity",
    requests: [entraRequest({ client_id: /^[0-9a-f-]{36}$/ })],
    steps: [{ expect: emulatorToken({ aud: "https://management.azure.com" }) }, { expect: emulatorToken() }]
  },
  {
    origin: `${azidentity}/workload_identity_test.go#TestWorkloadIdentityCredential`,
    detail: "another resource asks Entra again, with scope <resource>/.default",
    source: "workloadidentity",
    replies: () => [entraToken("workload-token-one"), entraToken("workload-token-two")],
    requests: [entraRequest({ client_id: /^[0-9a-f-]{36}$/ }), entraRequest({ scope: "scope/.default" })],
    steps: [
      { expect: token("workload-token-one", 3599) },
      { scopes: "scope", expect: token("workload-token-two", 3599) }
    ]
  },
  {
    origin: `${azidentity}/workload_identity_test.go#TestWorkloadIdentityCredential_Expiration`,
    detail:
      "adapted: Entra says the assertion expired (AADSTS700024): the file is read again and the request sent once more",
    source: "workloadidentity",
    replies: ({ now }) => [assertionExpired(now), entraToken("workload-token")],
    requests: [entraRequest(), entraRequest()],
    steps: [{ expect: token("workload-token", 3599) }]
  },
  {
    origin: `${azidentity}/workload_identity_test.go#TestWorkloadIdentityCredential_Expiration`,
    detail: "adapted: AADSTS700024 again after the re-read: only one more request, then AuthenticationError 400",
    source: "workloadidentity",
    replies: ({ now }) => [repeat(assertionExpired(now), "always")],
    requests: [entraRequest(), entraRequest()],
    steps: [{ expect: rejected(400, "AADSTS700024") }]
  },
  {
    origin: `${azidentity}/workload_identity_test.go#TestWorkloadIdentityCredential_Options`,
    detail: "a client id in the options wins over AZURE_CLIENT_ID",
    source: "workloadidentity",
    identity: { clientId: "00000000-0000-4000-8000-0000000000c1" },
    replies: () => [
      json(200, { token_type: "Bearer", expires_in: 3599, ext_expires_in: 3599, access_token: "workload-token" })
    ],
    requests: [entraRequest({ client_id: "00000000-0000-4000-8000-0000000000c1" })],
    steps: [{ expect: token("workload-token", 3599) }]
  },
  {
    origin: `${azidentity}/workload_identity_test.go#TestWorkloadIdentityCredential_NoFile`,
    detail: "AZURE_FEDERATED_TOKEN_FILE names no file: CredentialUnavailableError, nothing sent",
    source: "workloadidentity",
    env: ({ fixtures }) => ({ AZURE_FEDERATED_TOKEN_FILE: fixtures.missingTokenFile }),
    requests: [],
    steps: [{ expect: unavailable() }]
  },
  {
    origin: `${azidentity}/workload_identity_test.go#TestTestWorkloadIdentityCredential_IncompleteConfig`,
    detail: "without AZURE_FEDERATED_TOKEN_FILE it is not workload identity: IMDS is asked instead, Entra is not",
    source: "workloadidentity",
    requires: [],
    env: ({ emulatorUrl }) => ({ AZURE_FEDERATED_TOKEN_FILE: null, AZURE_POD_IDENTITY_AUTHORITY_HOST: emulatorUrl }),
    requests: [
      {
        endpoint: "imds",
        method: "GET",
        path: "/metadata/identity/oauth2/token",
        query: { "api-version": "2018-02-01", resource: ARM },
        headers: { metadata: "true" }
      }
    ],
    steps: [{ expect: emulatorToken() }]
  },
  ...(
    [
      ["an object id", { objectId: NET_IDS.objectId }],
      ["a resource id", { resourceId: NET_IDS.resourceId }]
    ] as const
  ).map(
    ([what, identity]): CompatibilityCase => ({
      origin: `${azidentity}/managed_identity_credential_test.go#TestManagedIdentityCredential_UnsupportedID`,
      detail: `adapted to workload identity: ${what} cannot select a federated identity: CredentialUnavailableError, nothing sent`,
      source: "workloadidentity",
      identity,
      requests: [],
      steps: [{ expect: unavailable() }]
    })
  )
]
