import * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { describe, expect, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as fc from "effect/FastCheck"
import { Classification, HttpTransport, ImdsSource, ManagedIdentityError } from "../src/index.js"

const imds = { source: "IMDS", rules: ImdsSource.descriptor.classification } as const
import { TOKEN } from "./support/sourceFakes.js"

const json = (value: unknown) => JSON.stringify(value)

describe("Classification.classify: the documentation's error table", () => {
  const rows: ReadonlyArray<{
    readonly name: string
    readonly status: number
    readonly body?: string
    readonly headers?: Record<string, string>
    readonly tag: string
    readonly reason?: string
    readonly message: string
    readonly retryAfterMs?: number
  }> = [
    {
      name: "400 invalid_resource",
      status: 400,
      body: json({
        error: "invalid_resource",
        error_description: "AADSTS50001: The application named https://x/ was not found in the tenant named abc."
      }),
      tag: "Rejected",
      message:
        "IMDS rejected the request (400 invalid_resource): AADSTS50001: The application named https://x/ was not found in the tenant named abc."
    },
    {
      name: "400 bad_request_102",
      status: 400,
      body: json({ error: "bad_request_102", error_description: "Required metadata header not specified" }),
      tag: "Rejected",
      message: "IMDS rejected the request (400 bad_request_102): Required metadata header not specified"
    },
    {
      name: "400 identity not found",
      status: 400,
      body: json({ error: "invalid_request", error_description: "Identity not found" }),
      tag: "Unavailable",
      reason: "identity-not-found",
      message:
        "IMDS: the requested managed identity is not assigned to this host (400 invalid_request: Identity not found)"
    },
    {
      name: "401 unknown_source",
      status: 401,
      body: json({ error: "unknown_source", error_description: "Unknown Source <URI>" }),
      tag: "Rejected",
      message: "IMDS rejected the request (401 unknown_source): Unknown Source <URI>"
    },
    {
      name: "403 without a body",
      status: 403,
      tag: "Rejected",
      message: "IMDS rejected the request (403 forbidden)"
    },
    {
      name: "405 in plain text: not IMDS's own answer",
      status: 405,
      body: "Method Not Allowed",
      tag: "Unavailable",
      reason: "not-the-endpoint",
      message:
        "IMDS: something other than the managed-identity endpoint answered 405 (method not allowed) at the endpoint (plain text): Method Not Allowed"
    },
    {
      name: "400 with IMDS's JSON but no error code: no such identity here",
      status: 400,
      body: json({ error_description: "Multiple user assigned identities exist, please specify the clientId" }),
      tag: "Unavailable",
      reason: "identity-not-found",
      message:
        "IMDS: the requested managed identity is not assigned to this host (400: Multiple user assigned identities exist, please specify the clientId)"
    },
    {
      name: "404",
      status: 404,
      tag: "Transient",
      reason: "status",
      message: "IMDS answered 404 (not found), IMDS may be updating"
    },
    { name: "408", status: 408, tag: "Transient", reason: "status", message: "IMDS answered 408 (request timeout)" },
    {
      name: "410",
      status: 410,
      tag: "Transient",
      reason: "status",
      message: "IMDS answered 410 (gone), IMDS is updating and is back within 70 seconds"
    },
    {
      name: "429 without Retry-After",
      status: 429,
      tag: "Transient",
      reason: "status",
      message: "IMDS answered 429 (too many requests), the endpoint is throttling requests"
    },
    {
      name: "429 with Retry-After",
      status: 429,
      headers: { "Retry-After": "7" },
      tag: "Transient",
      reason: "status",
      retryAfterMs: 7000,
      message: "IMDS answered 429 (too many requests), the endpoint is throttling requests"
    },
    {
      name: "500 with the documented description",
      status: 500,
      body: json({ error: "unknown", error_description: "Failed to retrieve token from the Active directory." }),
      tag: "Transient",
      reason: "status",
      message: "IMDS answered 500 (internal server error): unknown: Failed to retrieve token from the Active directory."
    },
    { name: "502", status: 502, tag: "Transient", reason: "status", message: "IMDS answered 502 (bad gateway)" },
    {
      name: "503 with Retry-After",
      status: 503,
      headers: { "retry-after": "120" },
      tag: "Transient",
      reason: "status",
      retryAfterMs: 120_000,
      message: "IMDS answered 503 (service unavailable)"
    },
    { name: "504", status: 504, tag: "Transient", reason: "status", message: "IMDS answered 504 (gateway timeout)" }
  ]

  for (const row of rows) {
    it(row.name, () => {
      const error = Classification.classify({
        ...imds,
        status: row.status,
        body: row.body,
        headers: row.headers
      })
      expect(error._tag).toBe(row.tag)
      expect(error.message).toBe(row.message)
      expect(error.status).toBe(row.status)
      if (row.reason !== undefined) expect("reason" in error && error.reason).toBe(row.reason)
      if (error._tag === "Transient") expect(error.retryAfterMs).toBe(row.retryAfterMs)
    })
  }

  it("keeps error and error_description on Rejected", () => {
    const error = Classification.classify({
      ...imds,
      status: 400,
      body: json({ error: "invalid_resource", error_description: "AADSTS500011: not found" })
    })
    expect(error).toBeInstanceOf(ManagedIdentityError.Rejected)
    expect(error._tag === "Rejected" && error.error).toBe("invalid_resource")
    expect(error._tag === "Rejected" && error.errorDescription).toBe("AADSTS500011: not found")
  })

  it("says identity-not-found only for IMDS; elsewhere an unknown identity is Rejected", () => {
    const body = json({ error: "invalid_request", error_description: "Identity not found" })
    expect(Classification.classify({ source: "AppService", status: 400, body })._tag).toBe("Rejected")
  })

  it("treats Docker Desktop's own 403 for 169.254.169.254 as Unavailable, by its body's shape, keeping its whole text", () => {
    // Docker Desktop answers for the metadata address itself, in plain text (IMDS always answers JSON).
    const body =
      "connecting to 169.254.169.254:80: connecting to 169.254.169.254:80: dial tcp 169.254.169.254:80: connectex: A socket operation was attempted to an unreachable network."
    const error = Classification.classify({
      ...imds,
      status: 403,
      headers: { "content-type": "text/plain; charset=utf-8" },
      body
    })
    expect(error).toMatchObject({
      _tag: "Unavailable",
      reason: "not-the-endpoint",
      evidence: { status: 403, body: "text", contentType: "text/plain; charset=utf-8" }
    })
    expect(error.message).toContain("A socket operation was attempted to an unreachable network.")
    // The same words inside IMDS's own JSON error are not evidence of anything: a Rejected 403.
    const wordsOnly = Classification.classify({
      ...imds,
      status: 403,
      body: json({
        error: "forbidden",
        error_description: "A socket operation was attempted to an unreachable network."
      })
    })
    expect(wordsOnly._tag).toBe("Rejected")
  })

  it("says who answered when a proxy or an appliance answers instead of the endpoint", () => {
    for (const [status, headers, body] of [
      [
        403,
        { server: "BlueCoat-SG", "content-type": "text/html" },
        "<html><body>Access denied by policy</body></html>"
      ],
      [407, { "proxy-authenticate": "Basic", server: "squid/5.7" }, ""],
      [401, { "content-type": "text/plain" }, "Unauthorized"]
    ] as const) {
      const error = Classification.classify({ source: "AppService", status, headers, body })
      expect(error).toMatchObject({ _tag: "Unavailable", reason: "not-the-endpoint", evidence: { status } })
      if ("server" in headers) expect(error.message).toContain(`Server: ${headers.server}`)
    }
  })

  it("keeps the endpoint's correlation id in the message (App Service's correlationId, Entra's correlation_id)", () => {
    const appService = Classification.classify({
      source: "AppService",
      status: 400,
      body: json({ statusCode: 400, message: "Unable to load the proper Managed Identity.", correlationId: "7f3a-11" })
    })
    expect(appService.message).toBe(
      "AppService rejected the request (400 bad request): Unable to load the proper Managed Identity. (correlation id 7f3a-11)"
    )
    expect(appService.correlationId).toBe("7f3a-11")
    const nested = Classification.classify({
      source: "ServiceFabric",
      status: 500,
      body: json({ error: { code: "SecretHeaderNotFound", message: "Secret is not found", correlationId: "sf-9" } })
    })
    expect(nested.message).toContain("(correlation id sf-9)")
  })

  it("never cuts the end of a long description, where the reason is", () => {
    const description = `${"context ".repeat(200)}THE REASON AT THE END`
    const error = Classification.classify({ source: "AppService", status: 400, body: json({ message: description }) })
    expect(error.message).toContain("THE REASON AT THE END")
    expect(error.message.length).toBeLessThan(1200)
  })

  it("reads the error shapes of every endpoint", () => {
    const cases: ReadonlyArray<readonly [string, string]> = [
      [
        json({ statusCode: 400, message: "Unable to load the proper Managed Identity.", correlationId: "c1" }),
        "(400 bad request): Unable to load the proper Managed Identity. (correlation id c1)"
      ],
      [json({ Message: "An error has occurred." }), "(400 bad request): An error has occurred."],
      [json({ error: { code: "BadRequest", message: "Invalid resource" } }), "(400 BadRequest): Invalid resource"],
      [
        json({
          error: "invalid_client",
          error_description: "AADSTS700016: Application not found",
          error_codes: [700016],
          correlation_id: "c2"
        }),
        "(400 invalid_client): AADSTS700016: Application not found (correlation id c2)"
      ],
      [json({ error: "invalid_request" }), "(400 invalid_request)"]
    ]
    for (const [body, expected] of cases) {
      expect(Classification.classify({ source: "AppService", status: 400, body }).message).toBe(
        `AppService rejected the request ${expected}`
      )
    }
  })

  it("never follows a redirect: whoever redirects is not a managed-identity endpoint", () => {
    const error = Classification.classify({
      ...imds,
      status: 302,
      headers: { location: "http://evil.example/" }
    })
    expect(error).toMatchObject({ _tag: "Unavailable", reason: "not-the-endpoint" })
    expect(error.message).toContain("redirect")
    expect(error.message).not.toContain("evil.example")
  })

  it("calls a 2xx given to classify an answer without a token", () => {
    const error = Classification.classify({ ...imds, status: 200, body: json({ error: "weird" }) })
    expect(error._tag).toBe("InvalidResponse")
  })

  it("with neither status nor transport failure, is a Transient network failure", () => {
    const error = Classification.classify({ source: "CloudShell" })
    expect(error._tag).toBe("Transient")
    expect(error._tag === "Transient" && error.reason).toBe("network")
  })
})

describe("Classification.classify: context", () => {
  it("carries source, status, attempts, elapsed time and the endpoint without its query", () => {
    const error = Classification.classify({
      source: "AppService",
      status: 503,
      attempts: 4,
      elapsedMs: 9000,
      endpoint: "http://127.0.0.1:41741/msi/token/?api-version=2019-08-01&resource=https://vault.azure.net#frag"
    })
    expect(error).toMatchObject({
      source: "AppService",
      status: 503,
      attempts: 4,
      elapsedMs: 9000,
      endpoint: "http://127.0.0.1:41741/msi/token/"
    })
  })

  it("cuts the query even from an endpoint that is not a URL", () => {
    expect(Classification.classify({ ...imds, status: 500, endpoint: "not a url?resource=x#f" }).endpoint).toBe(
      "not a url"
    )
  })

  it("drops query strings from the transport message it keeps", () => {
    const error = Classification.classify({
      ...imds,
      transport: fetchFailed(
        new Error("request to http://127.0.0.1:1/token?resource=x&client_id=y failed, reason: boom")
      )
    })
    expect(error.cause).toMatchObject({ kind: "network" })
    expect(JSON.stringify(error.cause)).toContain("http://127.0.0.1:1/token failed")
    expect(JSON.stringify(error.cause)).not.toContain("client_id")
  })

  it("defaults attempts to 1 and elapsed time to 0", () => {
    expect(Classification.classify({ ...imds, status: 500 })).toMatchObject({ attempts: 1, elapsedMs: 0 })
  })

  it.each([
    [{ "x-ms-request-id": "r1", "x-ms-correlation-request-id": "r2" }, undefined, "r1"],
    [{ "X-MS-CORRELATION-REQUEST-ID": "r2", "client-request-id": "r3" }, undefined, "r2"],
    [{ "client-request-id": "r3" }, undefined, "r3"],
    [{}, json({ error: "x", correlation_id: "r4" }), "r4"],
    [{}, json({ message: "x", correlationId: "r5" }), "r5"],
    [{}, undefined, undefined]
  ])("takes the correlation id from %j / %s", (headers, body, expected) => {
    expect(Classification.classify({ ...imds, status: 400, headers, body }).correlationId).toBe(expected)
  })
})

describe("Classification.retryAfterMs", () => {
  it.each([
    ["0", 0, 0],
    ["5", 0, 5000],
    [" 12 ", 0, 12_000],
    ["1.5", 0, 1500],
    ["Thu, 01 Jan 1970 00:00:10 GMT", 4000, 6000],
    ["Thu, 01 Jan 1970 00:00:10 GMT", 20_000, 0],
    ["Wed, 21 Oct 2015 07:28:00 GMT", Date.UTC(2015, 9, 21, 7, 27, 0), 60_000],
    ["Thu, 01 Jan 1970 00:00:10 GMT", undefined, undefined],
    ["-1", 0, undefined],
    ["soon", 0, undefined],
    ["", 0, undefined],
    [undefined, 0, undefined]
  ])("reads %j at %s as %s", (value, now, expected) => {
    expect(Classification.retryAfterMs(value, now)).toBe(expected)
  })

  it("prefers the millisecond headers Azure services send", () => {
    const error = Classification.classify({
      ...imds,
      status: 429,
      headers: { "retry-after": "10", "x-ms-retry-after-ms": "2500" }
    })
    expect(error._tag === "Transient" && error.retryAfterMs).toBe(2500)
  })

  it("reads an HTTP-date Retry-After against now", () => {
    const error = Classification.classify({
      ...imds,
      status: 503,
      headers: { "retry-after": "Thu, 01 Jan 1970 00:01:00 GMT" },
      now: 30_000
    })
    expect(error._tag === "Transient" && error.retryAfterMs).toBe(30_000)
  })
})

const coded = (code: string, message = `connect ${code} 169.254.169.254:80`, extra: object = {}) =>
  Object.assign(new Error(message), { code, ...extra })
const named = (name: string, message: string) => Object.assign(new Error(message), { name })
const fetchFailed = (cause: unknown) => new TypeError("fetch failed", { cause })
const platformError = (cause: unknown) =>
  new HttpClientError.RequestError({
    request: HttpClientRequest.get("http://169.254.169.254/metadata/identity/oauth2/token?resource=https://x/timeout"),
    reason: "Transport",
    cause
  })

describe("Classification.transportKind", () => {
  const table: ReadonlyArray<readonly [string, unknown, Classification.TransportKind]> = [
    ["Node ECONNREFUSED", coded("ECONNREFUSED"), "connection-refused"],
    ["undici fetch failed → ECONNREFUSED", fetchFailed(coded("ECONNREFUSED")), "connection-refused"],
    [
      "Node AggregateError (IPv4 + IPv6 both refused)",
      fetchFailed(new AggregateError([coded("ECONNREFUSED"), coded("ECONNREFUSED")], "")),
      "connection-refused"
    ],
    [
      "platform RequestError → fetch failed → ECONNREFUSED",
      platformError(fetchFailed(coded("ECONNREFUSED"))),
      "connection-refused"
    ],
    ["Deno ConnectionRefused", named("ConnectionRefused", "Connection refused (os error 111)"), "connection-refused"],
    // Message text is never evidence: the same words without a code or a name are a plain network failure.
    [
      "Deno's words without its error name",
      new TypeError("error sending request: Connection refused (os error 111)"),
      "network"
    ],
    [
      "Windows' words without a code",
      new Error("No connection could be made because the target machine actively refused it. (os error 10061)"),
      "network"
    ],
    [
      "Bun ConnectionRefused",
      Object.assign(new Error("Unable to connect. Is the computer able to access the url?"), {
        code: "ConnectionRefused"
      }),
      "connection-refused"
    ],
    [
      "Bun FailedToOpenSocket",
      Object.assign(new Error("Was there a typo in the url or port?"), { code: "FailedToOpenSocket" }),
      "connection-refused"
    ],
    ["Node EACCES", fetchFailed(coded("EACCES")), "access-denied"],
    [
      "Azure Functions socket access forbidden (Node on Windows: WSAEACCES as EACCES)",
      coded("EACCES", "connect EACCES 169.254.169.254:80", { syscall: "connect" }),
      "access-denied"
    ],
    [
      "Deno PermissionDenied",
      named("PermissionDenied", 'Requires net access to "169.254.169.254:80"'),
      "access-denied"
    ],
    [
      "Deno NotCapable",
      named("NotCapable", 'Requires net access to "169.254.169.254:80", run again with the --allow-net flag'),
      "access-denied"
    ],
    ["EHOSTUNREACH", fetchFailed(coded("EHOSTUNREACH")), "host-unreachable"],
    ["ENETUNREACH", coded("ENETUNREACH"), "host-unreachable"],
    [
      "Deno AddrNotAvailable",
      named("AddrNotAvailable", "Cannot assign requested address (os error 99)"),
      "host-unreachable"
    ],
    ["Rust's words without a name", new Error("No route to host (os error 113)"), "network"],
    ["ENOTFOUND", fetchFailed(coded("ENOTFOUND", "getaddrinfo ENOTFOUND login.microsoftonline.com")), "dns"],
    ["EAI_AGAIN", coded("EAI_AGAIN"), "dns"],
    [
      "dns words without a code",
      new TypeError("error sending request: dns error: failed to lookup address information"),
      "network"
    ],
    // By its code alone: neither the message nor the name says "timeout".
    [
      "our connect timeout (node-shared's transports and probe)",
      coded(HttpTransport.CONNECT_TIMEOUT_CODE, "no connection to 127.0.0.1:40342"),
      "connect-timeout"
    ],
    [
      "undici connect timeout",
      fetchFailed(
        Object.assign(new Error("Connect Timeout Error"), {
          code: "UND_ERR_CONNECT_TIMEOUT",
          name: "ConnectTimeoutError"
        })
      ),
      "connect-timeout"
    ],
    [
      "Node ETIMEDOUT on connect",
      fetchFailed(coded("ETIMEDOUT", "connect ETIMEDOUT 169.254.169.254:80", { syscall: "connect" })),
      "connect-timeout"
    ],
    ["Node ETIMEDOUT on read", coded("ETIMEDOUT", "read ETIMEDOUT", { syscall: "read" }), "timeout"],
    ["Deno TimedOut", named("TimedOut", "Connection timed out (os error 110)"), "connect-timeout"],
    ["ECONNRESET", fetchFailed(coded("ECONNRESET", "read ECONNRESET")), "connection-reset"],
    ["EPIPE", coded("EPIPE", "write EPIPE"), "connection-reset"],
    ["Node's socket hang up (code ECONNRESET)", coded("ECONNRESET", "socket hang up"), "connection-reset"],
    ["socket hang up without its code", new Error("socket hang up"), "network"],
    [
      "undici other side closed",
      fetchFailed(Object.assign(new Error("other side closed"), { code: "UND_ERR_SOCKET" })),
      "connection-reset"
    ],
    ["Deno ConnectionReset", named("ConnectionReset", "Connection reset by peer (os error 104)"), "connection-reset"],
    [
      "Bun ConnectionClosed",
      Object.assign(new Error("The socket connection was closed unexpectedly."), { code: "ConnectionClosed" }),
      "connection-reset"
    ],
    [
      "undici headers timeout",
      fetchFailed(Object.assign(new Error("Headers Timeout Error"), { code: "UND_ERR_HEADERS_TIMEOUT" })),
      "timeout"
    ],
    [
      "undici body timeout",
      Object.assign(new Error("Body Timeout Error"), { code: "UND_ERR_BODY_TIMEOUT" }),
      "timeout"
    ],
    ["Effect TimeoutException", new Cause.TimeoutException("timed out"), "timeout"],
    ["AbortSignal.timeout", named("TimeoutError", "The operation was aborted due to timeout"), "timeout"],
    ["a URL that mentions timeout is not a timeout", platformError(new Error("boom")), "network"],
    ["anything else", new Error("something odd"), "network"],
    ["a string", "connection refused", "network"],
    ["a number", 42, "network"],
    ["null", null, "network"]
  ]
  for (const [name, cause, kind] of table) {
    it(name, () => expect(Classification.transportKind(cause)).toBe(kind))
  }

  it("survives cyclic causes and throwing getters", () => {
    const cyclic: any = new Error("x")
    cyclic.cause = cyclic
    expect(Classification.transportKind(cyclic)).toBe("network")
    const hostile = Object.defineProperty(new Error("y"), "cause", {
      get() {
        throw new Error("no")
      }
    })
    expect(Classification.transportKind(hostile)).toBe("network")
  })
})

describe("Classification.classify: transport failures", () => {
  const table: ReadonlyArray<readonly [unknown, string, string]> = [
    [fetchFailed(coded("ECONNREFUSED")), "Unavailable", "connection-refused"],
    [fetchFailed(coded("EACCES")), "Unavailable", "access-denied"],
    [coded("EHOSTUNREACH"), "Unavailable", "host-unreachable"],
    [coded("ENOTFOUND"), "Unavailable", "host-unreachable"],
    [coded("ERR_MI_CONNECT_TIMEOUT"), "Unavailable", "probe-timeout"],
    [coded("UND_ERR_CONNECT_TIMEOUT"), "Unavailable", "probe-timeout"],
    [coded("ECONNRESET"), "Transient", "connection-reset"],
    [coded("UND_ERR_HEADERS_TIMEOUT"), "Transient", "timeout"],
    [new Error("weird"), "Transient", "network"]
  ]
  for (const [cause, tag, reason] of table) {
    it(`${tag} ${reason}`, () => {
      const error = Classification.classify({
        ...imds,
        transport: platformError(cause),
        status: 500,
        endpoint: "http://169.254.169.254/metadata/identity/oauth2/token?resource=x",
        attempts: 2,
        elapsedMs: 40
      })
      expect(error._tag).toBe(tag)
      expect("reason" in error && error.reason).toBe(reason)
      expect(error.status).toBeUndefined()
      expect(error).toMatchObject({ source: "IMDS", attempts: 2, elapsedMs: 40 })
      expect(error.message.startsWith("IMDS: ")).toBe(true)
      expect(error.message).toContain("http://169.254.169.254/metadata/identity/oauth2/token")
      expect(error.message).not.toContain("resource=x")
    })
  }

  it("keeps a scrubbed description of the cause, never the request", () => {
    const error = Classification.classify({
      source: "AppService",
      transport: platformError(fetchFailed(coded("ECONNREFUSED"))),
      secrets: ["identity-header-secret"]
    })
    expect(error.cause).toMatchObject({ kind: "connection-refused", code: "ECONNREFUSED" })
    expect(JSON.stringify(error)).not.toContain("HttpClientRequest")
  })
})

describe("Classification.classify: secrets", () => {
  const secret = "4f1c2f6e-secret-identity-header-0b9c"
  const assertion = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQifQ.sig"
  const inputs: ReadonlyArray<Classification.ClassifyInput> = [
    {
      source: "AppService",
      status: 400,
      body: json({ error: "invalid_request", error_description: `header ${secret} is wrong; token ${TOKEN}` }),
      headers: { "x-ms-request-id": secret },
      secrets: [secret]
    },
    { ...imds, status: 500, body: json({ access_token: TOKEN, error: "x" }), secrets: [secret] },
    { ...imds, status: 401, body: `raw ${TOKEN} ${secret}`, secrets: [secret] },
    {
      source: "WorkloadIdentity",
      status: 400,
      body: json({ error: "invalid_client", error_description: `assertion ${assertion} expired` }),
      secrets: [assertion]
    },
    {
      source: "AppService",
      transport: fetchFailed(new Error(`failed with header ${secret} and token ${TOKEN}`)),
      secrets: [secret]
    },
    { ...imds, status: 200, body: `access_token=${TOKEN}`, secrets: [secret] },
    {
      source: "IMDS",
      status: 400,
      body: json({ error: "invalid_request", error_description: "Identity not found", access_token: TOKEN })
    }
  ]
  for (const [i, input] of inputs.entries()) {
    it(`never shows a token or secret (case ${i + 1})`, () => {
      const error = Classification.classify(input)
      for (const text of [error.message, String(error), JSON.stringify(error), JSON.stringify(error.cause ?? null)]) {
        expect(text).not.toContain(TOKEN)
        expect(text).not.toContain(secret)
        expect(text).not.toContain(assertion)
      }
    })
  }
})

describe("Classification.classify: fuzz", () => {
  it("always returns a typed endpoint error prefixed with the source, never throws", () => {
    const transport = fc.oneof(
      fc.constant(undefined),
      fc.anything(),
      fc.record(
        { code: fc.string(), name: fc.string(), message: fc.string(), cause: fc.anything() },
        { requiredKeys: [] }
      )
    )
    fc.assert(
      fc.property(
        fc.constantFrom("IMDS", "AppService", "AzureArc", "WorkloadIdentity") as fc.Arbitrary<"IMDS">,
        fc.option(fc.integer({ min: 0, max: 999 }), { nil: undefined }),
        fc.dictionary(fc.constantFrom("retry-after", "x-ms-request-id", "content-type", "retry-after-ms"), fc.string()),
        fc.option(fc.oneof(fc.string(), fc.json()), { nil: undefined }),
        transport,
        (source, status, headers, body, transport) => {
          const error = Classification.classify({ source, status, headers, body, transport, now: 0 })
          expect(["Unavailable", "Transient", "Rejected", "InvalidResponse"]).toContain(error._tag)
          expect(error.message.startsWith(source)).toBe(true)
          expect(() => JSON.stringify(error)).not.toThrow()
        }
      ),
      { numRuns: 1000 }
    )
  })
})
