/**
 * Azure ML (and legacy App Service, 2017-09-01: `clientid`, the `secret` header, date strings)
 * and Cloud Shell (a form `POST`, system-assigned only).
 *
 * @since 0.1.0
 */
import {
  ARM,
  azureMlRequest,
  type CompatibilityCase,
  cloudShellRequest,
  goSuccess,
  invalidArgument,
  json,
  legacyDate,
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

const { net, msalGo, msalNode, msalPython, azidentity, azureIdentityPython } = ORIGINS

/** azidentity's `expiresOnIntResp`, with `expires_on` one hour from now instead of 2019's. */
const expiresOnIntResp = (expiresOn: number | string) => ({
  access_token: "new_token",
  refresh_token: "",
  expires_in: "",
  expires_on: expiresOn,
  not_before: "1560970130",
  resource: "https://vault.azure.net",
  token_type: "Bearer"
})

export const azureMlCases: ReadonlyArray<CompatibilityCase> = [
  {
    origin: `${net}/MachineLearningTests.cs#MachineLearningUserAssignedHappyPathAndHasCorrectClientIdQueryParameterAsync`,
    detail:
      "row (null, null): system-assigned sends clientid=DEFAULT_IDENTITY_CLIENT_ID (not client_id), the secret header and Metadata: true",
    source: "azureml",
    env: () => ({ DEFAULT_IDENTITY_CLIENT_ID: "fake_DEFAULT_IDENTITY_CLIENT_ID" }),
    replies: ({ now }) => [netSuccess(now)],
    requests: [azureMlRequest({ clientid: "fake_DEFAULT_IDENTITY_CLIENT_ID" })],
    steps: [{ scopes: ARM, expect: token("some-access-token", 3600) }]
  },
  {
    origin: `${net}/MachineLearningTests.cs#MachineLearningUserAssignedHappyPathAndHasCorrectClientIdQueryParameterAsync`,
    detail: "row (ClientId): a user-assigned client id is sent as clientid",
    source: "azureml",
    env: () => ({ DEFAULT_IDENTITY_CLIENT_ID: "fake_DEFAULT_IDENTITY_CLIENT_ID" }),
    identity: { clientId: NET_IDS.clientId },
    replies: ({ now }) => [netSuccess(now)],
    requests: [azureMlRequest({ clientid: NET_IDS.clientId })],
    steps: [{ scopes: ARM, expect: token("some-access-token", 3600) }]
  },
  ...(
    [
      ["SystemAssigned", ARM, undefined, "A"],
      ["SystemAssigned, /.default", `${ARM}/.default`, undefined, "A"],
      ["UserAssignedClientID B", ARM, { clientId: "B" }, "B"]
    ] as const
  ).map(
    ([row, scopes, identity, clientid]): CompatibilityCase => ({
      origin: `${msalGo}/managedidentity_test.go#TestAzureMLAcquireTokenReturnsTokenSuccess`,
      detail: `row ${row}: clientid=${clientid}, resource without /.default; then the cache`,
      source: "azureml",
      env: () => ({ DEFAULT_IDENTITY_CLIENT_ID: "A" }),
      ...(identity === undefined ? {} : { identity }),
      replies: ({ now }) => [goSuccess(now, false)],
      requests: [azureMlRequest({ clientid })],
      steps: [
        { scopes, expect: token("fake-access-token", 3600) },
        { scopes, expect: token("fake-access-token", 3600) }
      ]
    })
  ),
  {
    origin: `${msalNode}/MachineLearning.spec.ts#acquires a User Assigned Client Id token`,
    detail: "the URL carries clientid and no client_id",
    source: "azureml",
    identity: { clientId: "unique_identifier_generated_by_azure_ad_for_the_azure_resource" },
    replies: ({ now }) => [goSuccess(now, false)],
    requests: [
      azureMlRequest({ clientid: "unique_identifier_generated_by_azure_ad_for_the_azure_resource", client_id: null })
    ],
    steps: [{ expect: token("fake-access-token", 3600) }]
  },
  {
    origin: `${azureIdentityPython}/test_managed_identity.py#test_azure_ml`,
    detail:
      "without DEFAULT_IDENTITY_CLIENT_ID, system-assigned sends no clientid; the token's expiry is the answer's expires_on",
    source: "azureml",
    env: () => ({ DEFAULT_IDENTITY_CLIENT_ID: null }),
    replies: ({ now }) => [
      json(200, {
        access_token: "****",
        expires_in: 3600,
        expires_on: now + 3600,
        resource: "scope",
        token_type: "Bearer"
      })
    ],
    requests: [azureMlRequest({ resource: "scope" })],
    steps: [{ scopes: "scope", expect: token("****", 3600) }]
  },
  {
    origin: `${msalPython}#MachineLearningTestCase.test_happy_path`,
    detail: "expires_on as a numeric string; the cache; a claims challenge asks again without a token hash",
    source: "azureml",
    replies: ({ now }) => [
      repeat(json(200, `{"access_token": "AT", "expires_on": "${now + 1234}", "resource": "R"}`), 2)
    ],
    requests: [
      azureMlRequest({ resource: "R", clientid: /.+/ }),
      azureMlRequest({ resource: "R", clientid: /.+/, token_sha256_to_refresh: null })
    ],
    steps: [
      { scopes: "R", expect: token("AT", 1234) },
      { scopes: "R", expect: token("AT", 1234) },
      { scopes: "R", claims: "foo", expect: token("AT", 1234) }
    ]
  },
  ...(
    [
      ["ObjectId", { objectId: NET_IDS.objectId }],
      ["ResourceId", { resourceId: NET_IDS.resourceId }]
    ] as const
  ).map(
    ([row, identity]): CompatibilityCase => ({
      origin: `${net}/MachineLearningTests.cs#MachineLearningUserAssignedNonClientIdThrowsAsync`,
      detail: `row ${row}: Azure ML selects by client id only: CredentialUnavailableError, nothing sent`,
      source: "azureml",
      identity,
      requests: [],
      steps: [{ expect: unavailable() }]
    })
  ),
  {
    origin: `${msalGo}/managedidentity_test.go#TestAzureMLErrors`,
    detail: "UserAssignedObjectID(ObjectId): refused, nothing sent",
    source: "azureml",
    identity: { objectId: "ObjectId" },
    requests: [],
    steps: [{ expect: unavailable() }]
  },
  ...(
    [
      ["Linux", "linux"],
      ["Windows", "windows"]
    ] as const
  ).map(
    ([row, style]): CompatibilityCase => ({
      origin: `${azureIdentityPython}/test_managed_identity.py#test_app_service_2017_09_01`,
      detail: `the ${row} date form of expires_on (${style === "linux" ? "MM/DD/YYYY HH:mm:ss" : "M/D/YYYY h:mm:ss AM"} +00:00), a day from now`,
      source: "azureml",
      replies: ({ now }) => [
        json(200, {
          access_token: "****",
          expires_on: legacyDate(now + 86_400, style),
          resource: "scope",
          token_type: "Bearer"
        })
      ],
      requests: [azureMlRequest({ resource: "scope", clientid: /.+/ })],
      steps: [{ scopes: "scope", expect: token("****", 86_400) }]
    })
  ),
  {
    origin: `${azureIdentityPython}/test_managed_identity.py#test_app_service_2017_09_01`,
    detail: 'the fixture as it is ("01/01/1970 00:00:42 +00:00", epoch 42): long expired, so refused',
    source: "azureml",
    replies: () => [
      json(200, {
        access_token: "****",
        expires_on: "01/01/1970 00:00:42 +00:00",
        resource: "scope",
        token_type: "Bearer"
      })
    ],
    requests: [azureMlRequest({ resource: "scope", clientid: /.+/ })],
    steps: [{ scopes: "scope", expect: rejected(undefined, /expired/) }]
  },
  {
    origin: `${msalNode}/MachineLearning.spec.ts#ensures that the error format is correct`,
    detail: "a JSON 400 with message and correlation_id: AuthenticationError 400 keeping both",
    source: "azureml",
    replies: () => [
      json(400, {
        message: "There was an error retrieving the access token from the managed identity.",
        correlation_id: "fake_correlation_id"
      })
    ],
    requests: [azureMlRequest({ clientid: /.+/ })],
    steps: [
      {
        expect: rejected(
          400,
          "There was an error retrieving the access token from the managed identity.",
          "fake_correlation_id"
        )
      }
    ]
  },
  {
    origin: `${msalPython}#MachineLearningTestCase.test_machine_learning_error_should_be_normalized`,
    detail:
      'a persistent 500 {"error": "placeholder", "message": "placeholder"}: retried, then AuthenticationError 500',
    source: "azureml",
    replies: () => [repeat(json(500, '{"error": "placeholder", "message": "placeholder"}'), "always")],
    requests: times(6, azureMlRequest({ resource: "R", clientid: /.+/ })),
    steps: [{ scopes: "R", expect: rejected(500, "placeholder") }]
  },
  {
    origin: `${net}/DefaultRetryPolicyTests.cs#SAMIFails500Permanently`,
    detail: "row MachineLearning: 1 + 5 requests, then AuthenticationError 500",
    source: "azureml",
    replies: () => [repeat(json(500, NET_APP_SERVICE_ERROR), "always")],
    requests: times(6, azureMlRequest({ clientid: /.+/ })),
    steps: [{ scopes: ARM, expect: rejected(500, NET_APP_SERVICE_ERROR.message) }]
  },
  {
    origin: `${net}/ManagedIdentityTests.cs#ManagedIdentityNullResponseAsync`,
    detail: "row MachineLearning: a 200 with an empty body is an invalid response",
    source: "azureml",
    replies: () => [text(200, "")],
    requests: [azureMlRequest({ clientid: /.+/ })],
    steps: [{ expect: rejected(undefined, /empty/) }]
  },
  {
    origin: `${net}/ManagedIdentityTests.cs#ManagedIdentityWithClaimsTestAsync`,
    detail: "row MachineLearning: claims skip the cache, no token_sha256_to_refresh",
    source: "azureml",
    replies: ({ now }) => [netSuccess(now, 3600, "first-token"), netSuccess(now, 3600, "second-token")],
    requests: [azureMlRequest({ clientid: /.+/ }), azureMlRequest({ clientid: /.+/, token_sha256_to_refresh: null })],
    steps: [
      { scopes: ARM, expect: token("first-token", 3600) },
      { scopes: ARM, claims: '{"access_token":{"xms_cc":{"values":["cp1"]}}}', expect: token("second-token", 3600) }
    ]
  },
  {
    origin: `${msalNode}/ManagedIdentityEndpointValidation.spec.ts#rejects endpoints whose host is not loopback or link-local`,
    detail: "row http://0.0.0.0/ for MSI_ENDPOINT (Azure ML): refused naming the variable, the secret never sent",
    source: "azureml",
    env: ({ env }) => {
      const url = new URL(env.MSI_ENDPOINT ?? "http://127.0.0.1/")
      url.hostname = "0.0.0.0"
      return { MSI_ENDPOINT: url.href }
    },
    requests: [],
    steps: [{ expect: invalidArgument("MSI_ENDPOINT") }]
  }
]

export const cloudShellCases: ReadonlyArray<CompatibilityCase> = [
  ...(
    [
      ["(CloudShellEndpoint, Resource)", ARM],
      ["(CloudShellEndpoint, ResourceDefaultSuffix)", `${ARM}/.default`]
    ] as const
  ).map(
    ([row, scopes]): CompatibilityCase => ({
      origin: `${net}/ManagedIdentityTests.cs#SAMIHappyPathAsync`,
      detail: `row ${row}: POST of the form resource=<resource without /.default>, Metadata: true, no query; then the cache`,
      source: "cloudshell",
      replies: ({ now }) => [netSuccess(now)],
      requests: [cloudShellRequest()],
      steps: [
        { scopes, expect: token("some-access-token", 3600) },
        { scopes, expect: token("some-access-token", 3600) }
      ]
    })
  ),
  {
    origin: `${msalGo}/managedidentity_test.go#TestCloudShellAcquireTokenReturnsTokenSuccess`,
    detail: "expires_on as a number; the form carries the resource without /.default",
    source: "cloudshell",
    replies: ({ now }) => [goSuccess(now, false)],
    requests: [cloudShellRequest({ resource: "https://resource" })],
    steps: [
      { scopes: "https://resource/.default", expect: token("fake-access-token", 3600) },
      { scopes: "https://resource/.default", expect: token("fake-access-token", 3600) }
    ]
  },
  {
    origin: `${azureIdentityPython}/test_managed_identity.py#test_cloud_shell`,
    detail: "the fixture's expires_on 42 is long past: refused (azure-identity returns it)",
    source: "cloudshell",
    replies: ({ now }) => [
      json(200, {
        access_token: "****",
        expires_in: 0,
        expires_on: 42,
        not_before: now,
        resource: "scope",
        token_type: "Bearer"
      })
    ],
    requests: [cloudShellRequest({ resource: "scope" })],
    steps: [{ scopes: "scope", expect: rejected(undefined, /expired/) }]
  },
  {
    origin: `${azidentity}/managed_identity_credential_test.go#TestManagedIdentityCredential_CreateAccessTokenExpiresOnInt`,
    detail:
      'expiresOnIntResp with a future expires_on: "expires_in": "" next to a usable expires_on is ignored, not fatal',
    source: "cloudshell",
    replies: ({ now }) => [json(200, expiresOnIntResp(String(now + 3600)))],
    requests: [cloudShellRequest({ resource: "https://vault.azure.net" })],
    steps: [{ scopes: "https://vault.azure.net/.default", expect: token("new_token", 3600) }]
  },
  {
    origin: `${azidentity}/managed_identity_credential_test.go#TestManagedIdentityCredential_CreateAccessTokenExpiresOnInt`,
    detail: 'expiresOnNonStringIntResp with a future expires_on as a number, next to expires_in: ""',
    source: "cloudshell",
    replies: ({ now }) => [json(200, expiresOnIntResp(now + 3600))],
    requests: [cloudShellRequest({ resource: "https://vault.azure.net" })],
    steps: [{ scopes: "https://vault.azure.net/.default", expect: token("new_token", 3600) }]
  },
  {
    origin: `${azidentity}/managed_identity_credential_test.go#TestManagedIdentityCredential_CreateAccessTokenExpiresOnInt`,
    detail: "the fixture as it is (expires_on 1560974028, in 2019): long expired, so refused",
    source: "cloudshell",
    replies: () => [json(200, expiresOnIntResp("1560974028"))],
    requests: [cloudShellRequest({ resource: "https://vault.azure.net" })],
    steps: [{ scopes: "https://vault.azure.net/.default", expect: rejected(undefined, /expired/) }]
  },
  {
    origin: `${azidentity}/managed_identity_credential_test.go#TestManagedIdentityCredential_CreateAccessTokenExpiresOnFail`,
    detail: 'expires_on "15609740s28" is no time, and expires_in is empty: no usable expiry, an invalid response',
    source: "cloudshell",
    replies: () => [json(200, expiresOnIntResp("15609740s28"))],
    requests: [cloudShellRequest({ resource: "https://vault.azure.net" })],
    steps: [{ scopes: "https://vault.azure.net/.default", expect: rejected(undefined, /expir/i) }]
  },
  {
    origin: `${msalGo}/managedidentity_test.go#TestRefreshInMultipleRequests`,
    detail:
      'refresh_in 43200 next to expires_in 86400 (the fixture\'s "first token" with its space made "first-token"): refreshed after refresh_in',
    source: "cloudshell",
    replies: () => [
      json(200, { access_token: "first-token", expires_in: 86400, refresh_in: 43200, token_type: "Bearer" })
    ],
    requests: [cloudShellRequest()],
    steps: [{ expect: token("first-token", 86400, 43200) }]
  },
  {
    origin: `${msalGo}/managedidentity_test.go#TestRefreshInMultipleRequests`,
    detail:
      'the fixture as it is: "first token" holds a space, which no Authorization header can carry: an invalid response, the token not quoted',
    source: "cloudshell",
    replies: () => [
      json(200, { access_token: "first token", expires_in: 86400, refresh_in: 43200, token_type: "Bearer" })
    ],
    requests: [cloudShellRequest()],
    steps: [{ expect: rejected(undefined, "Authorization") }]
  },
  ...(
    [
      ["ClientId", { clientId: NET_IDS.clientId }],
      ["ResourceId", { resourceId: NET_IDS.resourceId }],
      ["ObjectId", { objectId: NET_IDS.objectId }]
    ] as const
  ).map(
    ([row, identity]): CompatibilityCase => ({
      origin: `${net}/CloudShellTests.cs#CloudShellUserAssignedManagedIdentityNotSupportedAsync`,
      detail: `row ${row}: Cloud Shell has only its system identity: CredentialUnavailableError, nothing sent`,
      source: "cloudshell",
      identity,
      requests: [],
      steps: [{ expect: unavailable() }]
    })
  ),
  {
    origin: `${azureIdentityPython}/test_managed_identity.py#test_cloud_shell_user_assigned_identity`,
    detail: "client id some-guid: refused before sending (older azure-identity put it in the form)",
    source: "cloudshell",
    identity: { clientId: "some-guid" },
    requests: [],
    steps: [{ scopes: "scope", expect: unavailable() }]
  },
  {
    origin: `${msalNode}/CloudShell.spec.ts#ensures that the error format is correct`,
    detail: 'an ARM-style 400 {"error":{"code","message"}}: AuthenticationError 400 keeping code and message',
    source: "cloudshell",
    replies: () => [
      json(400, {
        error: {
          code: "fake_error",
          message: "There was an error retrieving the access token from the managed identity."
        }
      })
    ],
    requests: [cloudShellRequest()],
    steps: [
      {
        expect: rejected(400, "fake_error", "There was an error retrieving the access token from the managed identity.")
      }
    ]
  },
  {
    origin: `${net}/ManagedIdentityTests.cs#ManagedIdentityTestWrongScopeAsync`,
    detail: "row (user.read, CloudShell): a persistent 500 AudienceNotSupported keeps its code, after the retries",
    source: "cloudshell",
    replies: () => [
      repeat(
        json(500, {
          error: {
            code: "AudienceNotSupported",
            message:
              "Audience user.read is not a supported MSI token audience.Supported audiences:https://management.core.windows.net/,https://management.azure.com/"
          }
        }),
        "always"
      )
    ],
    requests: times(6, cloudShellRequest({ resource: "user.read" })),
    steps: [{ scopes: "user.read", expect: rejected(500, "AudienceNotSupported") }]
  },
  {
    origin: `${net}/ManagedIdentityTests.cs#ManagedIdentityRetryPolicyLifeTimeIsPerRequestAsync`,
    detail: "row (CloudShell, 504): the POST is retried like a GET: 6 requests, then AuthenticationError 504",
    source: "cloudshell",
    replies: () => [repeat(text(504, ""), "always")],
    requests: times(6, cloudShellRequest()),
    steps: [{ scopes: ARM, expect: rejected(504) }]
  },
  {
    origin: `${net}/ManagedIdentityTests.cs#ManagedIdentityNullResponseAsync`,
    detail: "row CloudShell: a 200 with an empty body is an invalid response",
    source: "cloudshell",
    replies: () => [text(200, "")],
    requests: [cloudShellRequest()],
    steps: [{ expect: rejected(undefined, /empty/) }]
  },
  {
    origin: `${net}/ManagedIdentityTests.cs#ManagedIdentityWithClaimsTestAsync`,
    detail: "row CloudShell: claims skip the cache; the form carries no token hash",
    source: "cloudshell",
    replies: ({ now }) => [netSuccess(now, 3600, "first-token"), netSuccess(now, 3600, "second-token")],
    requests: [cloudShellRequest(), cloudShellRequest()],
    steps: [
      { scopes: ARM, expect: token("first-token", 3600) },
      { scopes: ARM, claims: '{"access_token":{"xms_cc":{"values":["cp1"]}}}', expect: token("second-token", 3600) }
    ]
  },
  {
    origin: `${msalNode}/ManagedIdentityEndpointValidation.spec.ts#a source refuses to acquire a token from a redirected endpoint`,
    detail: "Cloud Shell's MSI_ENDPOINT on 0.0.0.0: refused naming the variable, nothing sent",
    source: "cloudshell",
    env: ({ env }) => {
      const url = new URL(env.MSI_ENDPOINT ?? "http://127.0.0.1/")
      url.hostname = "0.0.0.0"
      return { MSI_ENDPOINT: url.href }
    },
    requests: [],
    steps: [{ expect: invalidArgument("MSI_ENDPOINT") }]
  }
]
