/**
 * App Service / Functions (2019-08-01): request shape, identity parameters, the answers and
 * error bodies the SDKs parse, retries and Retry-After, claims, and the endpoint check.
 *
 * @since 0.1.0
 */
import {
  ARM,
  appServiceRequest,
  type CompatibilityCase,
  goSuccess,
  invalidArgument,
  json,
  NET_APP_SERVICE_ERROR,
  NET_IDS,
  netSuccess,
  ORIGINS,
  rejected,
  repeat,
  text,
  times,
  token,
  unavailable
} from "./model.js"

const { net, msalGo, msalPython, azidentity, azureIdentityJs, msalNode } = ORIGINS

const msalNodeEndpointValidation = `${msalNode}/ManagedIdentityEndpointValidation.spec.ts`

/** MSAL.NET's `ManagedIdentityTestErrorResponseParsing` rows: body, fragments the message keeps. */
const errorParsingRows: ReadonlyArray<readonly [body: string, fragments: ReadonlyArray<string>]> = [
  ['{"statusCode":500,"message":"Error message","correlationId":"GUID"}', ["Error message", "GUID"]],
  ['{"message":"Error message","correlationId":"GUID"}', ["Error message", "GUID"]],
  ['{"error":"errorCode","error_description":"Error message"}', ["errorCode", "Error message"]],
  ['{"error_description":"Error message"}', ["Error message"]],
  ['{"message":"Error message"}', ["Error message"]],
  ['{"error":{"code":"errorCode"}}', ["errorCode"]],
  ['{"error":{"message":"Error message"}}', ["Error message"]],
  ['{"error":{"code":"errorCode","message":"Error message"}}', ["errorCode", "Error message"]],
  [
    '{"error":{"code":"errorCode","message":"Error message","innererror":{"trace":"trace"}}}',
    ["errorCode", "Error message"]
  ],
  ['{"notExpectedJson":"someValue"}', []],
  ["notExpectedJson", []]
]

const goIdentityRows = [
  { scopes: ARM, identity: undefined, name: "SystemAssigned", query: {} },
  { scopes: `${ARM}/.default`, identity: undefined, name: "SystemAssigned, /.default", query: {} },
  { scopes: ARM, identity: { clientId: "clientId" }, name: "clientId", query: { client_id: "clientId" } },
  {
    scopes: `${ARM}/.default`,
    identity: { resourceId: "resourceId" },
    name: "resourceId",
    query: { mi_res_id: "resourceId" }
  },
  {
    scopes: `${ARM}/.default`,
    identity: { objectId: "objectId" },
    name: "objectId (sent as principal_id, App Service's documented name; MSAL sends its alias object_id)",
    query: { principal_id: "objectId" }
  }
] as const

/** The App Service endpoint with its host replaced. */
const withHost = (endpoint: string | undefined, host: string): string => {
  const url = new URL(endpoint ?? "http://127.0.0.1/")
  url.hostname = host
  return url.href
}

export const appServiceCases: ReadonlyArray<CompatibilityCase> = [
  // Request shape and identities --------------------------------------------------------------
  {
    origin: `${net}/ManagedIdentityTests.cs#SAMIHappyPathAsync`,
    detail: "row (AppServiceEndpoint, Resource): GET with X-IDENTITY-HEADER, api-version 2019-08-01; then the cache",
    source: "appservice",
    replies: ({ now }) => [netSuccess(now)],
    requests: [appServiceRequest()],
    steps: [
      { scopes: ARM, expect: token("some-access-token", 3600) },
      { scopes: ARM, expect: token("some-access-token", 3600) }
    ]
  },
  {
    origin: `${net}/ManagedIdentityTests.cs#SAMIHappyPathAsync`,
    detail: "row (http://127.0.0.1:41564/msi/token/, Resource): the endpoint's trailing slash is kept",
    source: "appservice",
    env: ({ env }) => ({ IDENTITY_ENDPOINT: `${env.IDENTITY_ENDPOINT}/` }),
    replies: ({ now }) => [netSuccess(now)],
    requests: [{ ...appServiceRequest(), path: "/appservice/msi/token/" }],
    steps: [{ scopes: ARM, expect: token("some-access-token", 3600) }]
  },
  {
    origin: `${net}/ManagedIdentityTests.cs#SAMIHappyPathAsync`,
    detail: "row (AppServiceEndpoint, ResourceDefaultSuffix): the resource is sent without /.default",
    source: "appservice",
    replies: ({ now }) => [netSuccess(now)],
    requests: [appServiceRequest()],
    steps: [{ scopes: `${ARM}/.default`, expect: token("some-access-token", 3600) }]
  },
  ...goIdentityRows.map(
    (row): CompatibilityCase => ({
      origin: `${msalGo}/managedidentity_test.go#TestAppServiceAcquireTokenReturnsTokenSuccess`,
      detail: `row ${row.name}; expires_on an hour away as a number; then the cache`,
      source: "appservice",
      ...(row.identity === undefined ? {} : { identity: row.identity }),
      replies: ({ now }) => [goSuccess(now, false)],
      requests: [appServiceRequest(row.query)],
      steps: [
        { scopes: row.scopes, expect: token("fake-access-token", 3600) },
        { scopes: row.scopes, expect: token("fake-access-token", 3600) }
      ]
    })
  ),
  ...(
    [
      ["ClientId", { clientId: NET_IDS.clientId }, { client_id: NET_IDS.clientId }],
      ["ResourceId", { resourceId: NET_IDS.resourceId }, { mi_res_id: NET_IDS.resourceId }],
      ["ObjectId (sent as principal_id)", { objectId: NET_IDS.objectId }, { principal_id: NET_IDS.objectId }]
    ] as const
  ).map(
    ([row, identity, query]): CompatibilityCase => ({
      origin: `${net}/ManagedIdentityTests.cs#UAMIHappyPathAsync`,
      detail: `row (AppService, ${row})`,
      source: "appservice",
      identity,
      replies: ({ now }) => [netSuccess(now)],
      requests: [appServiceRequest(query)],
      steps: [{ scopes: ARM, expect: token("some-access-token", 3600) }]
    })
  ),
  {
    origin: `${azidentity}/managed_identity_credential_test.go#TestManagedIdentityCredential_AppService`,
    detail: "client id: exactly one identity parameter, client_id; the second answer (a 400) is never asked for",
    source: "appservice",
    identity: { clientId: "expected-ID" },
    replies: ({ now }) => [
      json(200, {
        access_token: "new_token",
        expires_on: String(now + 3600),
        resource: "https://vault.azure.net",
        token_type: "Bearer",
        client_id: "some-guid"
      }),
      json(400, { statusCode: 400, message: "must not be requested" })
    ],
    requests: [appServiceRequest({ resource: "https://vault.azure.net", client_id: "expected-ID" })],
    steps: [
      { scopes: "https://vault.azure.net/.default", expect: token("new_token", 3600) },
      { scopes: "https://vault.azure.net/.default", expect: token("new_token", 3600) }
    ]
  },
  {
    origin: `${msalPython}#AppServiceTestCase.test_app_service_resource_id_parameter_should_be_mi_res_id`,
    detail:
      "resource id 1234 is mi_res_id, no Metadata header (MSAL Python adds one); the answer's expires_on 12345 is long past, so it is refused",
    source: "appservice",
    identity: { resourceId: "1234" },
    replies: () => [json(200, '{"access_token": "AT", "expires_on": 12345, "resource": "R"}')],
    requests: [
      {
        ...appServiceRequest({ resource: "R", mi_res_id: "1234" }),
        headers: { "x-identity-header": true, metadata: null }
      }
    ],
    steps: [{ scopes: "R", expect: rejected(undefined, /expired/) }]
  },
  {
    origin: `${msalPython}#AppServiceTestCase.test_happy_path`,
    detail: "expires_on as a numeric string; the cache; a claims challenge asks again without a token hash",
    source: "appservice",
    replies: ({ now }) => [
      repeat(json(200, `{"access_token": "AT", "expires_on": "${now + 1234}", "resource": "R"}`), 2)
    ],
    requests: [
      appServiceRequest({ resource: "R" }),
      appServiceRequest({ resource: "R", token_sha256_to_refresh: null })
    ],
    steps: [
      { scopes: "R", expect: token("AT", 1234) },
      { scopes: "R", expect: token("AT", 1234) },
      { scopes: "R", claims: "foo", expect: token("AT", 1234) }
    ]
  },
  {
    origin: `${net}/ManagedIdentityTests.cs#ManagedIdentityWithClaimsTestAsync`,
    detail:
      "row AppService: claims skip the cache; the request carries no token_sha256_to_refresh; the new token is cached in place of the old",
    source: "appservice",
    replies: ({ now }) => [netSuccess(now, 3600, "first-token"), netSuccess(now, 3600, "second-token")],
    requests: [appServiceRequest(), appServiceRequest({ token_sha256_to_refresh: null })],
    steps: [
      { scopes: ARM, expect: token("first-token", 3600) },
      { scopes: ARM, claims: '{"access_token":{"xms_cc":{"values":["cp1"]}}}', expect: token("second-token", 3600) },
      { scopes: ARM, expect: token("second-token", 3600) }
    ]
  },
  {
    origin: `${msalNode}/MachineLearning.spec.ts#ensures that App Service is selected as the Managed Identity source when all App Service and Machine Learning environment variables are present`,
    detail: "App Service and Azure ML variables together: App Service is asked, Azure ML is not",
    source: "appservice",
    env: ({ env, emulatorUrl }) => ({
      MSI_ENDPOINT: `${emulatorUrl}/azureml/msi/token`,
      MSI_SECRET: env.IDENTITY_HEADER ?? "secret"
    }),
    replies: ({ now }) => [netSuccess(now)],
    requests: [appServiceRequest()],
    steps: [{ expect: token("some-access-token", 3600) }]
  },
  // Answers -----------------------------------------------------------------------------------
  ...([1, 3] as const).map(
    (hours): CompatibilityCase => ({
      origin: `${net}/ManagedIdentityTests.cs#ManagedIdentityExpiresOnTestAsync`,
      detail: `row (${hours}, useIsoFormat): expires_on in ISO 8601 with 7 fractional digits`,
      source: "appservice",
      replies: ({ now }) => [
        json(200, {
          access_token: "some-access-token",
          expires_on: new Date((now + hours * 3600) * 1000).toISOString().replace(/\.(\d{3})Z$/, ".$10000Z"),
          resource: "https://management.azure.com/",
          token_type: "Bearer",
          client_id: "client_id"
        })
      ],
      requests: [appServiceRequest()],
      steps: [{ scopes: ARM, expect: token("some-access-token", hours * 3600) }]
    })
  ),
  {
    origin: `${net}/ManagedIdentityTests.cs#ManagedIdentityInvalidRefreshOnThrowsAsync`,
    detail: "a token that expires now is refused, and the message does not quote it",
    source: "appservice",
    replies: ({ now }) => [netSuccess(now, 0, "expiring-app-service-token")],
    requests: [appServiceRequest()],
    steps: [{ scopes: ARM, expect: rejected(undefined, /expired/) }]
  },
  {
    origin: `${net}/ManagedIdentityTests.cs#ManagedIdentityNullResponseAsync`,
    detail: "row AppService: a 200 with an empty body is an invalid response",
    source: "appservice",
    replies: () => [text(200, "")],
    requests: [appServiceRequest()],
    steps: [{ expect: rejected(undefined, /empty/) }]
  },
  {
    origin: `${net}/ManagedIdentityTests.cs#InvalidJsonResponseHandling`,
    detail: "row AppService: a 200 that is not JSON is an invalid response",
    source: "appservice",
    replies: ({ now }) => [text(200, (netSuccess(now).body ?? "").replace(/\{/g, "|"), "application/json")],
    requests: [appServiceRequest()],
    steps: [{ expect: rejected(undefined, /JSON/i) }]
  },
  // Errors ------------------------------------------------------------------------------------
  ...errorParsingRows.map(
    ([body, fragments], index): CompatibilityCase => ({
      origin: `${net}/ManagedIdentityTests.cs#ManagedIdentityTestErrorResponseParsing`,
      detail: `row ${index + 1} (${body}): a persistent 500 is retried 5 times, and the message keeps ${fragments.length === 0 ? "the status" : fragments.join(", ")}`,
      source: "appservice",
      replies: () => [repeat(json(500, body), "always")],
      requests: times(6, appServiceRequest()),
      steps: [{ scopes: ARM, expect: rejected(500, ...fragments) }]
    })
  ),
  {
    origin: `${net}/ManagedIdentityTests.cs#ManagedIdentityErrorMessageAttributesCorrelationIdToSourceAsync`,
    detail: "row AppService, retries disabled: the message and correlationId are in the error",
    source: "appservice",
    retry: false,
    replies: () => [json(500, { statusCode: 500, message: "Error message", correlationId: "some-correlation-id" })],
    requests: [appServiceRequest()],
    steps: [{ scopes: ARM, expect: rejected(500, "Error message", "some-correlation-id") }]
  },
  {
    origin: `${net}/ManagedIdentityTests.cs#ManagedIdentityErrorResponseNoPayloadTestAsync`,
    detail: "row AppService: a 500 with no body, every time: 6 requests, AuthenticationError 500",
    source: "appservice",
    replies: () => [repeat(text(500, ""), "always")],
    requests: times(6, appServiceRequest({ resource: "scope" })),
    steps: [{ scopes: "scope", expect: rejected(500) }]
  },
  {
    origin: `${msalPython}#AppServiceTestCase.test_app_service_error_should_be_normalized`,
    detail: 'a persistent 500 {"statusCode": 500, "message": "error content is undefined"} keeps the message',
    source: "appservice",
    replies: () => [repeat(json(500, '{"statusCode": 500, "message": "error content is undefined"}'), "always")],
    requests: times(6, appServiceRequest({ resource: "R" })),
    steps: [{ scopes: "R", expect: rejected(500, "error content is undefined") }]
  },
  {
    origin: `${net}/DefaultRetryPolicyTests.cs#SAMIFails400WhichIsNonRetriableAndRetryPolicyIsNotTriggeredAsync`,
    detail: "row AppService: App Service's JSON 400 is a rejection quoting message and correlationId, not retried",
    source: "appservice",
    replies: () => [repeat(json(400, { ...NET_APP_SERVICE_ERROR, statusCode: 400 }), "always")],
    requests: [appServiceRequest()],
    steps: [
      {
        scopes: ARM,
        expect: rejected(400, NET_APP_SERVICE_ERROR.message, NET_APP_SERVICE_ERROR.correlationId)
      }
    ]
  },
  {
    origin: `${azidentity}/managed_identity_credential_test.go#TestManagedIdentityCredential_AppServiceError`,
    detail:
      "a 401 with no body: nothing says another server answered (no HTML, no text), so it is the endpoint's refusal: AuthenticationError 401, not retried",
    source: "appservice",
    replies: () => [text(401, "")],
    requests: [appServiceRequest()],
    steps: [{ expect: rejected(401, "401") }]
  },
  {
    origin: `${azureIdentityJs}/managedIdentityCredential.spec.ts#can handle empty body response for client errors`,
    detail:
      "a 432 with no body: the endpoint's refusal (AuthenticationError 432; @azure/identity makes every failure unavailable), not retried",
    source: "appservice",
    replies: () => [text(432, "")],
    requests: [appServiceRequest()],
    steps: [{ expect: rejected(432, "432") }]
  },
  {
    origin: `${azureIdentityJs}/managedIdentityCredential.spec.ts#can handle empty body response for server errors`,
    detail: "a 567 with no body is a server error: retried, then AuthenticationError 567",
    source: "appservice",
    replies: () => [repeat(text(567, ""), "always")],
    requests: times(6, appServiceRequest()),
    steps: [{ expect: rejected(567) }]
  },
  {
    origin: `${msalGo}/servicefabric_test.go#TestServiceFabricRejectsHTTPRedirectBeforeSendingSecret`,
    detail:
      "adapted to App Service: a 307 is not followed (the target gets nothing) and is CredentialUnavailableError: the endpoint never redirects",
    source: "appservice",
    replies: ({ emulatorUrl }) => [
      text(307, "", undefined, {
        headers: { location: `${emulatorUrl}/metadata/identity/oauth2/token?api-version=2018-02-01&resource=${ARM}` }
      })
    ],
    requests: [appServiceRequest()],
    steps: [{ expect: unavailable(/redirect/) }]
  },
  // Retries -----------------------------------------------------------------------------------
  {
    origin: `${net}/DefaultRetryPolicyTests.cs#SAMIFails500Permanently`,
    detail:
      "row AppService: 1 + 5 requests (MSAL.NET: 1 + 3), then AuthenticationError 500 with message and correlationId",
    source: "appservice",
    replies: () => [repeat(json(500, NET_APP_SERVICE_ERROR), "always")],
    requests: times(6, appServiceRequest()),
    steps: [{ scopes: ARM, expect: rejected(500, NET_APP_SERVICE_ERROR.message, NET_APP_SERVICE_ERROR.correlationId) }]
  },
  ...([404, 408, 429, 500, 503, 504] as const).map(
    (status): CompatibilityCase => ({
      origin: `${net}/ManagedIdentityTests.cs#ManagedIdentityRetryPolicyLifeTimeIsPerRequestAsync`,
      detail: `row (AppService, ${status}): retried 5 times per call, then AuthenticationError ${status}`,
      source: "appservice",
      replies: () => [repeat(json(status, NET_APP_SERVICE_ERROR), "always")],
      requests: times(6, appServiceRequest()),
      steps: [{ scopes: ARM, expect: rejected(status) }]
    })
  ),
  {
    origin: `${azureIdentityJs}/managedIdentityCredential/imdsRetryPolicy.spec.ts#should retry on 410 errors`,
    detail: "adapted to App Service: 410 is IMDS's 'updating' signal only, so App Service's 410 is not retried",
    source: "appservice",
    replies: ({ now }) => [repeat(json(410, { statusCode: 410, message: "Gone" }), 2), netSuccess(now)],
    requests: [appServiceRequest()],
    steps: [{ scopes: ARM, expect: rejected(410) }]
  },
  {
    origin: `${net}/DefaultRetryPolicyTests.cs#SAMIFails500OnceWithVariousRetryAfterHeaderValuesThenSucceeds200Async`,
    detail: "row (AppService, null): a 500 without Retry-After, then the token",
    source: "appservice",
    replies: ({ now }) => [text(500, ""), netSuccess(now)],
    requests: times(2, appServiceRequest()),
    steps: [{ scopes: ARM, expect: token("some-access-token", 3600) }]
  },
  {
    origin: `${net}/DefaultRetryPolicyTests.cs#SAMIFails500OnceWithVariousRetryAfterHeaderValuesThenSucceeds200Async`,
    detail: 'row (AppService, "3") with Retry-After: 1: the retry waits at least the second it asks for',
    source: "appservice",
    replies: ({ now }) => [text(500, "", undefined, { headers: { "retry-after": "1" } }), netSuccess(now)],
    requests: [appServiceRequest(), { ...appServiceRequest(), afterPreviousMs: 1000 }],
    steps: [{ scopes: ARM, expect: token("some-access-token", 3600) }]
  },
  {
    origin: `${net}/DefaultRetryPolicyTests.cs#SAMIFails500OnceWithVariousRetryAfterHeaderValuesThenSucceeds200Async`,
    detail: "row (AppService, date) with a date already past: retried at once, then the token",
    source: "appservice",
    replies: ({ now }) => [
      text(500, "", undefined, { headers: { "retry-after": new Date((now - 5) * 1000).toUTCString() } }),
      netSuccess(now)
    ],
    requests: times(2, appServiceRequest()),
    steps: [{ scopes: ARM, expect: token("some-access-token", 3600) }]
  },
  {
    origin: `${net}/DefaultRetryPolicyTests.cs#SAMIFails500OnceWithVariousRetryAfterHeaderValuesThenSucceeds200Async`,
    detail: "row (AppService) with Retry-After: 120: longer than the 60 s the policy waits, so it gives up at once",
    source: "appservice",
    replies: ({ now }) => [text(500, "", undefined, { headers: { "retry-after": "120" } }), netSuccess(now)],
    requests: [appServiceRequest()],
    steps: [{ scopes: ARM, expect: rejected(500) }]
  },
  {
    origin: `${msalGo}/managedidentity_test.go#TestRetrySlowBodyDoesNotCancelContext`,
    detail: "a 500, then the endpoint's token dribbled over 300 ms: the slow body is read whole",
    source: "appservice",
    replies: () => [text(500, ""), { action: "slow=300" }],
    requests: times(2, appServiceRequest()),
    steps: [{ expect: { kind: "token", claims: {} } }]
  },
  // Endpoint checks before the secret leaves --------------------------------------------------
  {
    origin: `${msalNodeEndpointValidation}#rejects endpoints whose host is not loopback or link-local`,
    detail: "row http://0.0.0.0/: IDENTITY_ENDPOINT on 0.0.0.0 is refused naming the variable, nothing sent",
    source: "appservice",
    env: ({ env }) => ({ IDENTITY_ENDPOINT: withHost(env.IDENTITY_ENDPOINT, "0.0.0.0") }),
    requests: [],
    steps: [{ expect: invalidArgument("IDENTITY_ENDPOINT") }]
  },
  {
    origin: `${msalNodeEndpointValidation}#rejects endpoints whose host is not loopback or link-local`,
    detail: "row http://127.0.0.1@evil.com/ (here @0.0.0.0): the user-info trick is refused naming the variable",
    source: "appservice",
    env: ({ env }) => {
      const url = new URL(env.IDENTITY_ENDPOINT ?? "http://127.0.0.1/")
      return { IDENTITY_ENDPOINT: `http://127.0.0.1@0.0.0.0:${url.port}${url.pathname}` }
    },
    requests: [],
    steps: [{ expect: invalidArgument("IDENTITY_ENDPOINT") }]
  },
  {
    origin: `${msalNodeEndpointValidation}#a source refuses to acquire a token from a redirected endpoint`,
    detail: "App Service on [::]: IDENTITY_HEADER is never sent, the error names IDENTITY_ENDPOINT",
    source: "appservice",
    env: ({ env }) => ({ IDENTITY_ENDPOINT: withHost(env.IDENTITY_ENDPOINT, "[::]") }),
    requests: [],
    steps: [{ expect: invalidArgument("IDENTITY_ENDPOINT") }]
  }
]
