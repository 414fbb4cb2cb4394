import { describe, expect, it } from "@effect/vitest"
import { Classification, Diagnostics, ManagedIdentityError } from "../src/index.js"

const posix = { platform: "posix" as const, installed: [] }

describe("Diagnostics.diagnose", () => {
  it("explains the default: IMDS", () => {
    const d = Diagnostics.diagnose({}, posix)
    expect(d.source).toBe("IMDS")
    expect(d.endpoint).toBe("http://169.254.169.254/metadata/identity/oauth2/token")
    expect(d.missing).toEqual([])
    expect(d.conflicts).toEqual([])
    expect(d.warnings).toEqual([])
    expect(d.explanation).toContain("No other source is configured")
    expect(d.variables.every((v) => !v.set)).toBe(true)
  })

  it("says App Service needs both variables and where detection falls back", () => {
    const d = Diagnostics.diagnose({ IDENTITY_ENDPOINT: "http://127.0.0.1:41741/msi/token/" }, posix)
    expect(d.source).toBe("IMDS")
    expect(d.missing).toEqual(["IDENTITY_HEADER"])
    expect(d.warnings).toContain(
      "IDENTITY_ENDPOINT is set but IDENTITY_HEADER is not: App Service / Azure Functions needs both; falling back to the Azure Instance Metadata Service (IMDS)"
    )
  })

  it("redacts IDENTITY_HEADER and MSI_SECRET and shows the rest", () => {
    const d = Diagnostics.diagnose(
      {
        IDENTITY_ENDPOINT: "http://127.0.0.1:41741/msi/token/",
        IDENTITY_HEADER: "header-secret-value",
        MSI_ENDPOINT: "http://127.0.0.1:41741/msi/token/",
        MSI_SECRET: "msi-secret-value"
      },
      posix
    )
    expect(d.source).toBe("AppService")
    expect(d.endpoint).toBe("http://127.0.0.1:41741/msi/token/")
    const byName = Object.fromEntries(d.variables.map((v) => [v.name, v]))
    expect(byName.IDENTITY_HEADER).toMatchObject({ set: true, value: "<redacted>" })
    expect(byName.MSI_SECRET).toMatchObject({ set: true, value: "<redacted>" })
    expect(byName.IDENTITY_ENDPOINT).toMatchObject({ set: true, value: "http://127.0.0.1:41741/msi/token/" })
    expect(byName.AZURE_CLIENT_ID).toMatchObject({ set: false })
    expect(byName.AZURE_CLIENT_ID!.value).toBeUndefined()
    expect(JSON.stringify(d)).not.toContain("header-secret-value")
    expect(JSON.stringify(d)).not.toContain("msi-secret-value")
    expect(d.conflicts).toEqual([
      "Azure Machine Learning (or legacy App Service) is configured too, but App Service / Azure Functions comes first and is used"
    ])
  })

  it.each([
    [{ IDENTITY_HEADER: "x" }, ["IDENTITY_ENDPOINT"], "IDENTITY_HEADER is set but IDENTITY_ENDPOINT is not"],
    [
      { IDENTITY_SERVER_THUMBPRINT: "A1B2C3D4E5F60718293A4B5C6D7E8F9012345678" },
      ["IDENTITY_ENDPOINT", "IDENTITY_HEADER"],
      "Service Fabric needs all three"
    ],
    [{ IMDS_ENDPOINT: "http://127.0.0.1:40342" }, ["IDENTITY_ENDPOINT"], "Azure Arc needs both"],
    [{ MSI_SECRET: "x" }, ["MSI_ENDPOINT"], "Azure Machine Learning (or legacy App Service) needs both"],
    [
      { AZURE_FEDERATED_TOKEN_FILE: "/var/run/token" },
      ["AZURE_CLIENT_ID", "AZURE_TENANT_ID"],
      "AZURE_FEDERATED_TOKEN_FILE is set but AZURE_CLIENT_ID and AZURE_TENANT_ID are not: workload identity (Kubernetes federation) needs all three"
    ]
  ])("reports half-configured %j", (variables, missing, warning) => {
    const d = Diagnostics.diagnose(variables, posix)
    expect(d.missing).toEqual(missing)
    expect(d.warnings.some((w) => w.includes(warning))).toBe(true)
  })

  it("does not flag AZURE_CLIENT_ID alone (the user-assigned client id of DefaultAzureCredential)", () => {
    const d = Diagnostics.diagnose({ AZURE_CLIENT_ID: "abc" }, posix)
    expect(d.missing).toEqual([])
    expect(d.warnings).toEqual([])
  })

  it("warns about invalid values", () => {
    const d = Diagnostics.diagnose(
      {
        IDENTITY_ENDPOINT: "not-a-url",
        IDENTITY_HEADER: "h",
        IDENTITY_SERVER_THUMBPRINT: "xyz",
        AZURE_POD_IDENTITY_AUTHORITY_HOST: "http://127.0.0.1:1"
      },
      posix
    )
    expect(d.source).toBe("ServiceFabric")
    expect(d.endpoint).toBeUndefined()
    expect(d.warnings).toEqual(
      expect.arrayContaining([
        "IDENTITY_ENDPOINT is not a valid http(s) URL without credentials: the library refuses to use it",
        "IDENTITY_SERVER_THUMBPRINT is not 40 or 64 hexadecimal digits: Service Fabric cannot pin its certificate",
        expect.stringContaining("AAD Pod Identity, which is deprecated")
      ])
    )
  })

  it("recognises an App Service / Functions host whose identity variables are missing (cold start)", () => {
    const d = Diagnostics.diagnose({ WEBSITE_SITE_NAME: "my-func", FUNCTIONS_WORKER_RUNTIME: "node" }, posix)
    expect(d.warnings.join(" ")).toContain("has not injected it yet")
  })

  it("shows the AAD Pod Identity endpoint for IMDS, or none when it is invalid", () => {
    expect(Diagnostics.diagnose({ AZURE_POD_IDENTITY_AUTHORITY_HOST: "http://127.0.0.1:2579" }, posix).endpoint).toBe(
      "http://127.0.0.1:2579/metadata/identity/oauth2/token"
    )
    expect(Diagnostics.diagnose({ AZURE_POD_IDENTITY_AUTHORITY_HOST: "::" }, posix).endpoint).toBeUndefined()
    expect(
      Diagnostics.diagnose({ AZURE_POD_IDENTITY_AUTHORITY_HOST: "http://127.0.0.1:2579" }, posix).explanation
    ).toContain("AAD Pod Identity")
  })

  it("explains every source", () => {
    const cases = [
      [
        {
          IDENTITY_ENDPOINT: "https://127.0.0.1:2377/t",
          IDENTITY_HEADER: "h",
          IDENTITY_SERVER_THUMBPRINT: "A1B2C3D4E5F60718293A4B5C6D7E8F9012345678"
        },
        "ServiceFabric",
        "Service Fabric"
      ],
      [{ MSI_ENDPOINT: "http://127.0.0.1:1/t", MSI_SECRET: "s" }, "AzureML", "Machine Learning"],
      [{ MSI_ENDPOINT: "http://localhost:50342/oauth2/token" }, "CloudShell", "Cloud Shell"],
      [
        { IDENTITY_ENDPOINT: "http://127.0.0.1:40342/t", IMDS_ENDPOINT: "http://127.0.0.1:40342" },
        "AzureArc",
        "Azure Arc"
      ],
      [
        { AZURE_FEDERATED_TOKEN_FILE: "/t", AZURE_CLIENT_ID: "c", AZURE_TENANT_ID: "contoso.onmicrosoft.com" },
        "WorkloadIdentity",
        "Microsoft Entra"
      ]
    ] as const
    for (const [variables, source, words] of cases) {
      const d = Diagnostics.diagnose(variables, posix)
      expect(d.source).toBe(source)
      expect(d.explanation).toContain(words)
      expect(d.endpoint).toBeDefined()
    }
    const agent = Diagnostics.diagnose({}, { platform: "posix", installed: ["AzureArc"] })
    expect(agent.source).toBe("AzureArc")
    expect(agent.endpoint).toBe("http://127.0.0.1:40342/metadata/identity/oauth2/token")
    expect(agent.explanation).toContain("agent is installed")
    const wl = Diagnostics.diagnose(
      { AZURE_FEDERATED_TOKEN_FILE: "/t", AZURE_CLIENT_ID: "c", AZURE_TENANT_ID: "t1" },
      posix
    )
    expect(wl.endpoint).toBe("https://login.microsoftonline.com/t1/oauth2/v2.0/token")
  })
})

const context = { attempts: 1, elapsedMs: 5 }

describe("Diagnostics.explain", () => {
  it("maps the Azure Functions socket-access failure to the sandbox's outbound connection limits", () => {
    const error = Classification.classify({
      source: "AppService",
      // Node on Windows reports WSAEACCES (10013) as EACCES.
      transport: Object.assign(
        new Error("connect EACCES 127.0.0.1:41741 - An attempt was made to access a socket in a way forbidden"),
        { code: "EACCES", syscall: "connect" }
      )
    })
    const { summary, advice } = Diagnostics.explain(error)
    expect(summary).toContain("refused to open a socket")
    expect(advice.join(" ")).toContain("consumption plans")
    expect(advice.join(" ")).toContain("circuit breaker")
  })

  const unavailable = [
    "connection-refused",
    "access-denied",
    "host-unreachable",
    "probe-timeout",
    "identity-not-found",
    "not-the-endpoint",
    "unsupported-identity",
    "not-configured",
    "unsupported-runtime",
    "circuit-open"
  ] as const
  for (const reason of unavailable) {
    it(`explains Unavailable ${reason}`, () => {
      const { summary, advice } = Diagnostics.explain(
        new ManagedIdentityError.Unavailable({ source: "IMDS", reason, message: "m", ...context })
      )
      expect(summary.length).toBeGreaterThan(10)
      expect(advice.length).toBeGreaterThan(0)
    })
  }

  it("explains Docker Desktop's own 403 for IMDS: who answered, and that there is no IMDS in a local container", () => {
    const error = Classification.classify({
      source: "IMDS",
      status: 403,
      headers: { "content-type": "text/plain" },
      body: "connecting to 169.254.169.254:80: dial tcp 169.254.169.254:80: connectex: A socket operation was attempted to an unreachable network."
    })
    const { summary, advice } = Diagnostics.explain(error)
    expect(summary).toContain("Something other than the IMDS endpoint answered")
    expect(summary).toContain("plain text")
    expect(advice.join(" ")).toContain("Docker Desktop")
    expect(advice.join(" ")).toContain("NO_PROXY")
  })

  it.each([
    [404, "being updated"],
    [408, "timed out"],
    [410, "within 70 seconds"],
    [429, "throttling"],
    [500, "transient"],
    [503, "transient"]
  ])("explains Transient %i", (status, words) => {
    const { summary } = Diagnostics.explain(
      new ManagedIdentityError.Transient({ source: "IMDS", reason: "status", status, message: "m", ...context })
    )
    expect(summary).toContain(words)
  })

  it("explains a Transient status outside the table", () => {
    const { summary } = Diagnostics.explain(
      new ManagedIdentityError.Transient({ source: "IMDS", reason: "status", message: "m", ...context })
    )
    expect(summary).toContain("status unknown")
  })

  it("recognises invalid_resource from its AADSTS code alone", () => {
    const { summary } = Diagnostics.explain(
      new ManagedIdentityError.Rejected({
        source: "IMDS",
        status: 400,
        errorDescription: "AADSTS500011: The resource principal named x was not found",
        message: "m",
        ...context
      })
    )
    expect(summary).toContain("does not know the requested resource")
  })

  it("honours Retry-After in the 429 advice", () => {
    const { advice } = Diagnostics.explain(
      new ManagedIdentityError.Transient({
        source: "IMDS",
        reason: "status",
        status: 429,
        retryAfterMs: 7000,
        message: "m",
        ...context
      })
    )
    expect(advice[0]).toContain("7 s")
  })

  for (const reason of ["timeout", "connection-reset", "network", "body-interrupted", "circuit-open"] as const) {
    it(`explains Transient ${reason}`, () => {
      const { advice } = Diagnostics.explain(
        new ManagedIdentityError.Transient({ source: "IMDS", reason, message: "m", ...context })
      )
      expect(advice.length).toBeGreaterThan(0)
    })
  }

  it.each([
    [400, "invalid_resource", "resource URI"],
    [400, "bad_request_102", "Metadata"],
    [401, "unknown_source", "unknown_source"],
    [403, undefined, "403"],
    [405, undefined, "405"],
    [400, "invalid_client", "federated credential"],
    [400, "invalid_scope", "scope"],
    [400, "invalid_key_file", ".key"],
    [400, "invalid_argument", "identity id"],
    [409, undefined, "design-time"]
  ])("explains Rejected %i %s", (status, code, words) => {
    const { summary, advice } = Diagnostics.explain(
      new ManagedIdentityError.Rejected({ source: "IMDS", status, error: code, message: "m", ...context })
    )
    expect(`${summary} ${advice.join(" ")}`).toContain(words)
  })

  for (const reason of [
    "html",
    "not-json",
    "too-large",
    "missing-token",
    "invalid-field",
    "truncated",
    "challenge"
  ] as const) {
    it(`explains InvalidResponse ${reason}`, () => {
      const { summary, advice } = Diagnostics.explain(
        new ManagedIdentityError.InvalidResponse({ source: "AzureArc", status: 200, reason, message: "m", ...context })
      )
      expect(summary.length).toBeGreaterThan(10)
      expect(advice.length).toBeGreaterThan(0)
    })
  }

  it("explains InvalidArgument by naming the argument", () => {
    const { advice } = Diagnostics.explain(
      new ManagedIdentityError.InvalidArgument({ argument: "scopes", message: "scopes: x" })
    )
    expect(advice[0]).toContain("scopes")
  })
})
