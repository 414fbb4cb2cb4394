/**
 * IMDS: the request the SDKs build, each identity parameter, the answers they parse, and the
 * statuses they classify and retry.
 *
 * @since 0.1.0
 */
import {
  ARM,
  type CompatibilityCase,
  emulatorToken,
  goSuccess,
  imdsRequest,
  json,
  jwt,
  MSAL_NODE_ERROR,
  NET_IDS,
  NET_IMDS_ERROR,
  netSuccess,
  ORIGINS,
  rejected,
  repeat,
  text,
  times,
  token,
  unavailable,
  invalidArgument
} from "./model.js"

const { net, msalGo, msalNode, msalPython, azidentity, azureIdentityPython, azureIdentityJs } = ORIGINS

/** Docker Desktop's own answers to a request for 169.254.169.254 (azidentity's fixtures). */
export const DOCKER_DESKTOP_NETWORK =
  "connecting to 169.254.169.254:80: connecting to 169.254.169.254:80: dial tcp 169.254.169.254:80: connectex: A socket operation was attempted to an unreachable network."
export const DOCKER_DESKTOP_HOST =
  "connecting to 169.254.169.254:80: connecting to 169.254.169.254:80: dial tcp 169.254.169.254:80: connectex: A socket operation was attempted to an unreachable host."

const goIdentityRows = [
  { scopes: ARM, identity: undefined, name: "SystemAssigned", query: {} },
  { scopes: `${ARM}/.default`, identity: undefined, name: "SystemAssigned, /.default", query: {} },
  { scopes: ARM, identity: { clientId: "clientId" }, name: "clientId", query: { client_id: "clientId" } },
  {
    scopes: `${ARM}/.default`,
    identity: { resourceId: "resourceId" },
    name: "resourceId",
    query: { msi_res_id: "resourceId" }
  },
  { scopes: `${ARM}/.default`, identity: { objectId: "objectId" }, name: "objectId", query: { object_id: "objectId" } }
] as const

/** The statuses azidentity retries on IMDS, each once before a token (its MaxRetries 1 rows). */
const azidentityRetried = [404, 410, 429, 500, 501, 502, 503, 504, 505, 506, 507, 508, 510, 511]

/** azure-identity's table of unexpected IMDS statuses, with their error JSON. */
const unexpectedRows: ReadonlyArray<readonly [status: number, retried: boolean]> = [
  [401, false],
  [403, false],
  [405, false],
  [409, false],
  [422, false],
  [500, true],
  [502, true],
  [599, true]
]

export const imdsCases: ReadonlyArray<CompatibilityCase> = [
  // Request shape and identity parameters -----------------------------------------------------
  {
    origin: `${net}/ManagedIdentityTests.cs#SAMIHappyPathAsync`,
    detail:
      "row (ImdsEndpoint, Resource): GET with Metadata: true, api-version 2018-02-01 and the resource; the second call comes from the cache",
    source: "imds",
    replies: ({ now }) => [netSuccess(now)],
    requests: [imdsRequest()],
    steps: [
      { scopes: ARM, expect: token("some-access-token", 3600) },
      { scopes: ARM, expect: token("some-access-token", 3600) }
    ]
  },
  ...goIdentityRows.map(
    (row): CompatibilityCase => ({
      origin: `${msalGo}/managedidentity_test.go#TestIMDSAcquireTokenReturnsTokenSuccess`,
      detail: `row ${row.name}: resource without /.default, the identity's IMDS parameter, expires_in 600 as a number; then the cache`,
      source: "imds",
      ...(row.identity === undefined ? {} : { identity: row.identity }),
      replies: ({ now }) => [goSuccess(now, true)],
      requests: [imdsRequest(row.query)],
      steps: [
        { scopes: row.scopes, expect: token("fake-access-token", 600) },
        { scopes: row.scopes, expect: token("fake-access-token", 600) }
      ]
    })
  ),
  {
    origin: `${azidentity}/managed_identity_credential_test.go#TestManagedIdentityCredential_CreateIMDSAuthRequest`,
    detail: "client id: Metadata: true, api-version 2018-02-01, resource and client_id",
    source: "imds",
    identity: { clientId: "fake-client-id" },
    replies: ({ now }) => [netSuccess(now)],
    requests: [imdsRequest({ client_id: "fake-client-id" })],
    steps: [{ expect: token("some-access-token", 3600) }]
  },
  {
    origin: `${azidentity}/managed_identity_credential_test.go#TestManagedIdentityCredential_ResourceID_IMDS`,
    detail: "a resource id is sent as msi_res_id",
    source: "imds",
    identity: { resourceId: "sample/resource/id" },
    replies: ({ now }) => [netSuccess(now)],
    requests: [imdsRequest({ msi_res_id: "sample/resource/id" })],
    steps: [{ expect: token("some-access-token", 3600) }]
  },
  {
    origin: `${msalPython}#VmTestCase.test_vm_resource_id_parameter_should_be_msi_res_id`,
    detail: "resource id 1234: exactly api-version, resource and msi_res_id, with Metadata: true",
    source: "imds",
    identity: { resourceId: "1234" },
    replies: () => [json(200, '{"access_token": "AT", "expires_in": 3600, "resource": "R"}')],
    requests: [imdsRequest({ resource: "R", msi_res_id: "1234" })],
    steps: [{ scopes: "R", expect: token("AT", 3600) }]
  },
  ...(
    [
      ["ClientId", { clientId: NET_IDS.clientId }, { client_id: NET_IDS.clientId }],
      ["ResourceId", { resourceId: NET_IDS.resourceId }, { msi_res_id: NET_IDS.resourceId }],
      ["ObjectId", { objectId: NET_IDS.objectId }, { object_id: NET_IDS.objectId }]
    ] as const
  ).map(
    ([row, identity, query]): CompatibilityCase => ({
      origin: `${net}/ManagedIdentityTests.cs#UAMIHappyPathAsync`,
      detail: `row (Imds, ${row}): the IMDS name of the id (client_id, msi_res_id, object_id)`,
      source: "imds",
      identity,
      replies: ({ now }) => [netSuccess(now)],
      requests: [imdsRequest(query)],
      steps: [{ scopes: ARM, expect: token("some-access-token", 3600) }]
    })
  ),
  {
    origin: `${azureIdentityPython}/test_imds_credential.py#test_imds_authority_override`,
    detail: "AZURE_POD_IDENTITY_AUTHORITY_HOST names the IMDS host: one request there, no probe",
    source: "imds",
    replies: ({ now }) => [
      json(200, {
        access_token: "***",
        expires_in: 42,
        expires_on: now + 42,
        ext_expires_in: 42,
        not_before: now,
        resource: "scope",
        token_type: "Bearer"
      })
    ],
    requests: [imdsRequest({ resource: "scope" })],
    steps: [{ scopes: "scope", expect: token("***", 42) }]
  },
  {
    origin: `${msalNode}/Imds.spec.ts#throws an error when more than one managed identity type is provided`,
    detail: "a client id and a resource id together: refused, nothing sent",
    source: "imds",
    identity: { clientId: NET_IDS.clientId, resourceId: NET_IDS.resourceId },
    requests: [],
    steps: [{ expect: invalidArgument() }]
  },
  {
    origin: `${msalGo}/managedidentity_test.go#TestCreatingIMDSClient`,
    detail: "Empty Client ID: refused, nothing sent",
    source: "imds",
    identity: { clientId: "" },
    requests: [],
    steps: [{ expect: invalidArgument() }]
  },
  {
    origin: `${net}/ManagedIdentityTests.cs#ManagedIdentityTestNullOrEmptyScopeAsync`,
    detail: "adapted to IMDS: an empty resource is refused, nothing sent",
    source: "imds",
    requests: [],
    steps: [{ scopes: "", expect: invalidArgument() }]
  },
  // Response shapes ---------------------------------------------------------------------------
  {
    origin: `${msalPython}#VmTestCase.test_happy_path`,
    detail:
      'expires_in "7890" as a string: the expiry, the cache, then a claims challenge that skips the cache (and sends no token hash to IMDS)',
    source: "imds",
    replies: () => [repeat(json(200, '{"access_token": "AT", "expires_in": "7890", "resource": "R"}'), 2)],
    requests: [imdsRequest({ resource: "R" }), imdsRequest({ resource: "R", token_sha256_to_refresh: null })],
    steps: [
      { scopes: "R", expect: token("AT", 7890) },
      { scopes: "R", expect: token("AT", 7890) },
      { scopes: "R", claims: "foo", expect: token("AT", 7890) }
    ]
  },
  {
    origin: `${msalNode}/Imds.spec.ts#ignores a cached token when claims are provided`,
    detail: "the claims call asks IMDS again, without token_sha256_to_refresh (IMDS cannot bypass its cache)",
    source: "imds",
    replies: ({ now }) => [netSuccess(now, 3600, "first-token"), netSuccess(now, 3600, "second-token")],
    requests: [imdsRequest(), imdsRequest({ token_sha256_to_refresh: null })],
    steps: [
      { expect: token("first-token", 3600) },
      { expect: token("first-token", 3600) },
      { claims: '{"access_token":{"nbf":{"essential":true,"value":"1"}}}', expect: token("second-token", 3600) }
    ]
  },
  {
    origin: `${azureIdentityPython}/test_imds_credential.py#test_cache`,
    detail: "an answer whose expires_on is already past is refused (MSAL.NET agrees; azure-identity returns it once)",
    source: "imds",
    replies: ({ now }) => [
      json(200, {
        access_token: "expired-imds-token",
        expires_in: 0,
        expires_on: now - 300,
        ext_expires_in: 0,
        not_before: now - 600,
        resource: "scope",
        token_type: "Bearer"
      })
    ],
    requests: [imdsRequest({ resource: "scope" })],
    steps: [{ scopes: "scope", expect: rejected(undefined, /expired/) }]
  },
  {
    origin: `${net}/ManagedIdentityTests.cs#ManagedIdentityNullResponseAsync`,
    detail: "row Imds: a 200 with an empty body is an invalid response, not retried",
    source: "imds",
    replies: () => [text(200, "", "application/json")],
    requests: [imdsRequest()],
    steps: [{ expect: rejected(undefined, /empty/) }]
  },
  {
    origin: `${net}/ManagedIdentityTests.cs#InvalidJsonResponseHandling`,
    detail: "row Imds: the success body with { replaced by | is not JSON: an invalid response, not retried",
    source: "imds",
    replies: ({ now }) => [
      text(200, (netSuccess(now).body ?? "").replace(/\{/g, "|"), "application/json; charset=utf-8")
    ],
    requests: [imdsRequest()],
    steps: [{ expect: rejected(undefined, /JSON/i) }]
  },
  {
    origin: `${msalGo}/managedidentity_test.go#TestInvalidJsonErrReturnOnAcquireToken`,
    detail: "a body cut before its closing brace is an invalid response",
    source: "imds",
    replies: ({ now }) => [
      text(
        200,
        `{"access_token": "tetant","expires_in": 3600,"expires_on": ${now + 3600},"token_type": "Bearer"`,
        "application/json"
      )
    ],
    requests: [imdsRequest({ resource: "https://resource" })],
    steps: [{ scopes: "https://resource/.default", expect: rejected(undefined) }]
  },
  {
    origin: `${azidentity}/managed_identity_credential_test.go#TestManagedIdentityCredential_UnexpectedIMDSResponse`,
    detail: "a 200 whose body is not JSON is an AuthenticationError (the credential is not in a chain)",
    source: "imds",
    replies: () => [text(200, "not json", "text/plain")],
    requests: [imdsRequest()],
    steps: [{ expect: rejected(undefined) }]
  },
  {
    origin: `${msalGo}/managedidentity_test.go#Test_RetryPolicy_For_AcquireToken`,
    detail: "1 failure: a 500 then a 202 Accepted carrying the token: retried once, the 202 is a success",
    source: "imds",
    replies: ({ now }) => [
      json(500, { error: "sample error", error_description: "sample error desc" }),
      goSuccess(now, true, 202)
    ],
    requests: times(2, imdsRequest()),
    steps: [{ expect: token("fake-access-token", 600) }]
  },
  {
    origin: `${msalGo}/managedidentity_test.go#Test_RetryPolicy_For_AcquireToken`,
    detail: "2 failures: two 500s then the token: three requests",
    source: "imds",
    replies: ({ now }) => [
      repeat(json(500, { error: "sample error", error_description: "sample error desc" }), 2),
      goSuccess(now, true, 202)
    ],
    requests: times(3, imdsRequest()),
    steps: [{ expect: token("fake-access-token", 600) }]
  },
  {
    origin: `${msalGo}/managedidentity_test.go#Test_RetryPolicy_For_AcquireToken`,
    detail: "1 failure with the retry policy disabled: one request, the 500",
    source: "imds",
    retry: false,
    replies: ({ now }) => [
      json(500, { error: "sample error", error_description: "sample error desc" }),
      goSuccess(now, true, 202)
    ],
    requests: [imdsRequest()],
    steps: [{ expect: rejected(500, "sample error desc") }]
  },
  // Errors ------------------------------------------------------------------------------------
  {
    origin: `${msalGo}/managedidentity_test.go#TestSystemAssignedReturnsAcquireTokenFailure`,
    detail:
      "Bad Request: IMDS's 400 Identity not found means no identity here: CredentialUnavailableError, not retried",
    source: "imds",
    retry: false,
    replies: () => [json(400, { error: "invalid_request", error_description: "Identity not found" })],
    requests: [imdsRequest()],
    steps: [{ expect: unavailable("invalid_request", "Identity not found") }]
  },
  ...([404, 501, 503] as const).map(
    (status): CompatibilityCase => ({
      origin: `${msalGo}/managedidentity_test.go#TestSystemAssignedReturnsAcquireTokenFailure`,
      detail: `${status} with retries disabled: one request, an AuthenticationError with statusCode ${status}`,
      source: "imds",
      retry: false,
      replies: () => [json(status, { error: "", error_description: "" })],
      requests: [imdsRequest()],
      steps: [{ expect: rejected(status) }]
    })
  ),
  {
    origin: `${azidentity}/managed_identity_client_test.go#TestManagedIdentityClient_IMDSErrors`,
    detail: "No identity assigned: 400 Identity not found is CredentialUnavailableError quoting the body",
    source: "imds",
    replies: () => [json(400, { error: "invalid_request", error_description: "Identity not found" })],
    requests: [imdsRequest()],
    steps: [{ expect: unavailable("Identity not found") }]
  },
  {
    origin: `${azidentity}/managed_identity_credential_test.go#TestManagedIdentityCredential_GetTokenIMDS400`,
    detail: "a 400 whose body is plain text (not IMDS's JSON) is CredentialUnavailableError quoting it",
    source: "imds",
    replies: () => [text(400, "something went wrong", "text/plain; charset=utf-8")],
    requests: [imdsRequest()],
    steps: [{ expect: unavailable("400", "something went wrong") }]
  },
  {
    origin: `${azureIdentityPython}/test_imds_credential.py#test_identity_not_available`,
    detail: "a 400 with an empty JSON object is CredentialUnavailableError",
    source: "imds",
    replies: () => [json(400, {})],
    requests: [imdsRequest()],
    steps: [{ expect: unavailable() }]
  },
  {
    origin: `${msalNode}/Imds.spec.ts#ensures that the error format is correct`,
    detail:
      "a 400 in IMDS's JSON shape whose error is not invalid_resource or bad_request_102: CredentialUnavailableError keeping error and description",
    source: "imds",
    replies: () => [json(400, MSAL_NODE_ERROR)],
    requests: [imdsRequest()],
    steps: [{ expect: unavailable("fake_error", MSAL_NODE_ERROR.error_description) }]
  },
  {
    origin: `${net}/ImdsTests.cs#ImdsFails400WhichIsNonRetriableAndRetryPolicyIsNotTriggeredAsync`,
    detail:
      "400 invalid_resource (AADSTS500011) is a rejection: AuthenticationError 400 with the error, description and correlation id, not retried",
    source: "imds",
    replies: () => [json(400, NET_IMDS_ERROR)],
    requests: [imdsRequest()],
    steps: [
      {
        expect: rejected(400, "invalid_resource", "AADSTS500011", "77145480-bc5a-4ebe-ae4d-e4a8b7d727cf")
      }
    ]
  },
  {
    origin: `${azidentity}/managed_identity_client_test.go#TestManagedIdentityClient_IMDSErrors`,
    detail:
      "Docker Desktop (unreachable network): its plain-text 403 is CredentialUnavailableError saying who answered, the whole body kept",
    source: "imds",
    replies: () => [text(403, DOCKER_DESKTOP_NETWORK, "text/plain; charset=utf-8")],
    requests: [imdsRequest()],
    steps: [
      {
        expect: unavailable("403", "text/plain", "A socket operation was attempted to an unreachable network.")
      }
    ]
  },
  {
    origin: `${azidentity}/managed_identity_client_test.go#TestManagedIdentityClient_IMDSErrors`,
    detail: "Docker Desktop (unreachable host): the same, the tail that explains it kept",
    source: "imds",
    replies: () => [text(403, DOCKER_DESKTOP_HOST, "text/plain; charset=utf-8")],
    requests: [imdsRequest()],
    steps: [{ expect: unavailable("403", "A socket operation was attempted to an unreachable host.") }]
  },
  {
    origin: `${azureIdentityJs}/managedIdentityCredential.spec.ts#handles a 403 status code`,
    detail: "a 403 whose text says the network is unreachable is CredentialUnavailableError",
    source: "imds",
    replies: () => [text(403, "A socket operation was attempted to an unreachable network", "text/plain")],
    requests: [imdsRequest()],
    steps: [{ expect: unavailable("unreachable network") }]
  },
  {
    origin: `${azidentity}/managed_identity_client_test.go#TestManagedIdentityClient_IMDSErrors`,
    detail:
      "adapted: a proxy's HTML 403 instead of Docker's text is CredentialUnavailableError naming the status, content type and Server",
    source: "imds",
    replies: () => [
      text(
        403,
        "<html><head><title>403 Forbidden</title></head><body><h1>Access denied by policy</h1></body></html>",
        "text/html; charset=utf-8",
        { headers: { server: "squid/6.10" } }
      )
    ],
    requests: [imdsRequest()],
    steps: [{ expect: unavailable("403", "text/html", "squid/6.10") }]
  },
  ...unexpectedRows.map(
    ([status, retried]): CompatibilityCase => ({
      origin: `${azureIdentityPython}/test_imds_credential.py#test_unexpected_error`,
      detail: `${status} with {"error": "something went wrong"}: AuthenticationError ${status} quoting it${retried ? ", after the retries" : ", not retried"}`,
      source: "imds",
      replies: () => [repeat(json(status, { error: "something went wrong" }), "always")],
      requests: times(retried ? 6 : 1, imdsRequest()),
      steps: [{ expect: rejected(status, "something went wrong") }]
    })
  ),
  {
    origin: `${azureIdentityPython}/test_imds_credential.py#test_unexpected_error`,
    detail: "407 (a proxy wants credentials) is CredentialUnavailableError: the endpoint did not answer",
    source: "imds",
    requires: ["proxyAuthenticationStatus"],
    replies: () => [json(407, { error: "something went wrong" }, { headers: { "proxy-authenticate": "Basic" } })],
    requests: [imdsRequest()],
    steps: [{ expect: unavailable("407") }],
    otherwise: {
      detail:
        "407 where fetch turns it into a network error (as the Fetch standard says): a transient failure, retried, and the retry gets the token",
      replies: () => [json(407, { error: "something went wrong" }, { headers: { "proxy-authenticate": "Basic" } })],
      requests: times(2, imdsRequest()),
      steps: [{ expect: emulatorToken() }]
    }
  },
  {
    origin: `${net}/ManagedIdentityTests.cs#ManagedIdentityErrorMessageAttributesCorrelationIdToSourceAsync`,
    detail: "row Imds, retries disabled: the 500's message and correlation id are in the error",
    source: "imds",
    retry: false,
    replies: () => [json(500, { statusCode: 500, message: "Error message", correlationId: "some-correlation-id" })],
    requests: [imdsRequest()],
    steps: [{ expect: rejected(500, "Error message", "some-correlation-id") }]
  },
  {
    origin: `${net}/ManagedIdentityTests.cs#ManagedIdentityErrorResponseNoPayloadTestAsync`,
    detail: "row Imds: a 500 with no body, every time: retried 5 times, then AuthenticationError 500",
    source: "imds",
    replies: () => [repeat(text(500, ""), "always")],
    requests: times(6, imdsRequest({ resource: "scope" })),
    steps: [{ scopes: "scope", expect: rejected(500) }]
  },
  // Retries -----------------------------------------------------------------------------------
  ...(
    [
      ["SAMI", undefined, {}],
      ["UAMI client id", { clientId: NET_IDS.clientId }, { client_id: NET_IDS.clientId }]
    ] as const
  ).map(
    ([row, identity, query]): CompatibilityCase => ({
      origin: `${net}/ImdsTests.cs#ImdsFails404TwiceThenSucceeds200Async`,
      detail: `row ${row}: two 404s (IMDS updating) then the token: three requests`,
      source: "imds",
      ...(identity === undefined ? {} : { identity }),
      replies: ({ now }) => [repeat(json(404, NET_IMDS_ERROR), 2), netSuccess(now)],
      requests: times(3, imdsRequest(query)),
      steps: [{ scopes: ARM, expect: token("some-access-token", 3600) }]
    })
  ),
  {
    origin: `${net}/ImdsTests.cs#ImdsFails410FourTimesThenSucceeds200Async`,
    detail: "four 410s then the token: five requests",
    source: "imds",
    replies: ({ now }) => [repeat(json(410, NET_IMDS_ERROR), 4), netSuccess(now)],
    requests: times(5, imdsRequest()),
    steps: [{ scopes: ARM, expect: token("some-access-token", 3600) }]
  },
  {
    origin: `${net}/ImdsTests.cs#ImdsFails410PermanentlyAsync`,
    detail:
      "seven 410s then the token: IMDS's 410 is retried for 70 s whatever the retry count (MSAL.NET stops after 8 requests), so the 8th request gets it",
    source: "imds",
    replies: ({ now }) => [repeat(json(410, NET_IMDS_ERROR), 7), netSuccess(now)],
    requests: times(8, imdsRequest()),
    steps: [{ scopes: ARM, expect: token("some-access-token", 3600) }]
  },
  {
    origin: `${net}/ImdsTests.cs#ImdsFails504PermanentlyAsync`,
    detail: "504 every time: 1 + 5 retries (MSAL.NET: 1 + 3), then AuthenticationError 504",
    source: "imds",
    replies: () => [repeat(json(504, NET_IMDS_ERROR), "always")],
    requests: times(6, imdsRequest()),
    steps: [{ scopes: ARM, expect: rejected(504) }]
  },
  {
    origin: `${net}/ImdsTests.cs#ImdsFails500AndRetryPolicyIsDisabledAndNotTriggeredAsync`,
    detail: "retries disabled: one request, AuthenticationError 500",
    source: "imds",
    retry: false,
    replies: () => [repeat(json(500, NET_IMDS_ERROR), "always")],
    requests: [imdsRequest()],
    steps: [{ scopes: ARM, expect: rejected(500) }]
  },
  ...azidentityRetried.map(
    (status): CompatibilityCase => ({
      origin: `${azidentity}/managed_identity_credential_test.go#TestManagedIdentityCredential_IMDSRetries`,
      detail: `${status} is retried: ${status}, then the token`,
      source: "imds",
      replies: ({ now }) => [text(status, ""), netSuccess(now)],
      requests: times(2, imdsRequest()),
      steps: [{ expect: token("some-access-token", 3600) }]
    })
  ),
  {
    origin: `${msalGo}/managedidentity_test.go#TestRetryFunction`,
    detail: "DefaultToIMDS row: a 404 then the token",
    source: "imds",
    replies: ({ now }) => [text(404, "Failed"), goSuccess(now, true)],
    requests: times(2, imdsRequest()),
    steps: [{ expect: token("fake-access-token", 600) }]
  },
  // The token is the one asked for ------------------------------------------------------------
  {
    origin: `${msalGo}/managedidentity_test.go#TestAzureArcUserAssignedNotHonoredFailsClosed`,
    detail:
      "DifferentIdentityEchoed, adapted to IMDS and the token's claims: a JWT whose appid is another client id is refused, naming both ids",
    source: "imds",
    identity: { clientId: "11111111-1111-1111-1111-111111111111" },
    replies: ({ now }) => [
      json(200, {
        access_token: jwt({
          aud: "https://management.azure.com/",
          appid: "99999999-9999-9999-9999-999999999999",
          azp: "99999999-9999-9999-9999-999999999999",
          oid: "22222222-2222-2222-2222-222222222222",
          iat: now,
          exp: now + 3600
        }),
        expires_in: "3600",
        token_type: "Bearer"
      })
    ],
    requests: [imdsRequest({ client_id: "11111111-1111-1111-1111-111111111111" })],
    steps: [
      {
        expect: rejected(undefined, "11111111-1111-1111-1111-111111111111", "99999999-9999-9999-9999-999999999999")
      }
    ]
  },
  {
    origin: `${msalGo}/managedidentity_test.go#TestAzureArcUserAssignedNotHonoredFailsClosed`,
    detail: "adapted to IMDS: a JWT for another object id (oid) is refused, naming both",
    source: "imds",
    identity: { objectId: "22222222-2222-2222-2222-222222222222" },
    replies: ({ now }) => [
      json(200, {
        access_token: jwt({
          appid: "11111111-1111-1111-1111-111111111111",
          oid: "88888888-8888-8888-8888-888888888888",
          exp: now + 3600
        }),
        expires_in: 3600
      })
    ],
    requests: [imdsRequest({ object_id: "22222222-2222-2222-2222-222222222222" })],
    steps: [
      { expect: rejected(undefined, "22222222-2222-2222-2222-222222222222", "88888888-8888-8888-8888-888888888888") }
    ]
  },
  {
    origin: `${msalGo}/managedidentity_test.go#TestAzureArcUserAssignedNotHonoredFailsClosed`,
    detail:
      "adapted to IMDS: resource ids compare case-insensitively (xms_mirid has Azure's lower-case resourcegroups/rg)",
    source: "imds",
    identity: {
      resourceId:
        "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/RG/providers/Microsoft.ManagedIdentity/userAssignedIdentities/uami"
    },
    replies: ({ now }) => [
      json(200, {
        access_token: jwt({
          appid: "11111111-1111-1111-1111-111111111111",
          xms_mirid:
            "/subscriptions/00000000-0000-0000-0000-000000000000/resourcegroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/uami",
          exp: now + 3600
        }),
        expires_in: 3600
      })
    ],
    requests: [
      imdsRequest({
        msi_res_id:
          "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/RG/providers/Microsoft.ManagedIdentity/userAssignedIdentities/uami"
      })
    ],
    steps: [{ expect: { kind: "token", expiresIn: 3600 } }]
  },
  {
    origin: `${msalGo}/managedidentity_test.go#TestAzureArcUserAssignedNotHonoredFailsClosed`,
    detail: "NoEcho, adapted to IMDS: a JWT without appid, azp, oid or xms_mirid cannot be checked and passes",
    source: "imds",
    identity: { clientId: "11111111-1111-1111-1111-111111111111" },
    replies: ({ now }) => [
      json(200, { access_token: jwt({ aud: "https://management.azure.com/", exp: now + 3600 }), expires_in: 3600 })
    ],
    requests: [imdsRequest({ client_id: "11111111-1111-1111-1111-111111111111" })],
    steps: [{ expect: { kind: "token", expiresIn: 3600 } }]
  }
]
