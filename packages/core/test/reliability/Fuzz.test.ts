/**
 * Fuzzing every source end to end: `Source.acquire` of each of the seven sources, and the whole
 * `ManagedIdentity.getToken` stack, against a `fetch` (under the real `FetchTransport`) that answers arbitrary statuses, headers
 * and bodies (token-shaped bodies with wrong fields, cut JSON, HTML, oversized bodies, bodies that
 * echo the request's secrets), bodies that break off mid-stream, and arbitrary transport failures.
 *
 * Whatever arrives, the outcome is a valid token or one typed error (`Unavailable`, `Transient`,
 * `Rejected`, `InvalidResponse`): never a defect, never an untyped throw, and no error ever quotes
 * the secret header, the Arc key, the federated assertion or an access token. Azure Arc's key file
 * is only ever read from inside the agent's token directory, whatever the challenge names.
 */
import * as Detection from "../../src/internal/detection.js"
import { run } from "../../src/internal/exchange.js"
import { describe, expect, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as fc from "effect/FastCheck"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import { inspect } from "node:util"
import {
  CertificatePinning,
  Environment,
  FetchTransport,
  FileReader,
  HttpTransport,
  Identity,
  ManagedIdentity,
  Resource,
  type SourceName
} from "../../src/index.js"

const SECRETS = {
  header: "mi-identity-header-6a1f0c5e9d8b7a6f5e4d3c2b1a09",
  arcKey: "arc-key-material-0f1e2d3c4b5a69788796a5b4c3d2e1f0",
  assertion:
    "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQ6ZGVmYXVsdDp3b3JrbG9hZCJ9.YXNzZXJ0aW9uLXNpZ25hdHVyZQ",
  token: "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJodHRwczovL3ZhdWx0LmF6dXJlLm5ldCJ9.dG9rZW4tc2lnbmF0dXJl",
  shadow: "root:$6$shadow-file-contents-that-must-never-be-sent$"
} as const
const secretValues = Object.values(SECRETS)

const KEY_DIRECTORY = "/var/opt/azcmagent/tokens"
const KEY_FILE = `${KEY_DIRECTORY}/0123abcd.key`
const TOKEN_FILE = "/var/run/secrets/azure/tokens/azure-identity-token"

const files = () => ({
  files: {
    [KEY_FILE]: SECRETS.arcKey,
    "/etc/shadow.key": SECRETS.shadow,
    [`${KEY_DIRECTORY}/huge.key`]: "k".repeat(5000),
    [TOKEN_FILE]: SECRETS.assertion
  },
  links: { [`${KEY_DIRECTORY}/escape.key`]: "/etc/shadow.key" }
})

const variables: Record<SourceName.SourceName, Record<string, string>> = {
  IMDS: { AZURE_POD_IDENTITY_AUTHORITY_HOST: "http://127.0.0.1:8079" },
  AppService: { IDENTITY_ENDPOINT: "http://127.0.0.1:8081/msi/token", IDENTITY_HEADER: SECRETS.header },
  AzureML: { MSI_ENDPOINT: "http://127.0.0.1:8082/msi/token", MSI_SECRET: SECRETS.header },
  CloudShell: { MSI_ENDPOINT: "http://127.0.0.1:8083/oauth2/token" },
  AzureArc: {
    IDENTITY_ENDPOINT: "http://127.0.0.1:40342/metadata/identity/oauth2/token",
    IMDS_ENDPOINT: "http://127.0.0.1:40342"
  },
  ServiceFabric: {
    IDENTITY_ENDPOINT: "https://127.0.0.1:2377/metadata/identity/oauth2/token",
    IDENTITY_HEADER: SECRETS.header,
    IDENTITY_SERVER_THUMBPRINT: "AB".repeat(20)
  },
  WorkloadIdentity: {
    AZURE_FEDERATED_TOKEN_FILE: TOKEN_FILE,
    AZURE_CLIENT_ID: "5f9c6e1a-0000-4000-8000-00000000c11e",
    AZURE_TENANT_ID: "72f988bf-86f1-41af-91ab-2d7cd011db47",
    AZURE_AUTHORITY_HOST: "http://127.0.0.1:8084"
  }
}
const sourceNames = Object.keys(variables) as ReadonlyArray<SourceName.SourceName>

// ---------------------------------------------------------------------------------------------
// Arbitrary answers
// ---------------------------------------------------------------------------------------------

type Body = string | { readonly breaksAfter: string }

type Reply =
  | {
      readonly _tag: "response"
      readonly status: number
      readonly headers: Readonly<Record<string, string>>
      readonly body: Body
    }
  | { readonly _tag: "transport"; readonly cause: unknown }

const anyJson = fc.jsonValue({ maxDepth: 2 })
const secret = fc.constantFrom(...secretValues)
const text = fc.oneof(
  fc.string({ maxLength: 60 }),
  secret.map((s) => `echo ${s}`)
)

const tokenShaped = fc
  .record(
    {
      access_token: fc.oneof(fc.constant(SECRETS.token), fc.string({ maxLength: 20 }), anyJson),
      expires_in: fc.oneof(
        fc.integer({ min: -100, max: 10_000_000_000 }),
        fc.double(),
        fc.stringMatching(/^\s?\d{0,12}(\.\d{0,3})?\s?$/),
        anyJson
      ),
      expires_on: fc.oneof(
        fc.integer({ min: 0, max: 4_000_000_000_000 }),
        fc.stringMatching(/^\d{1,14}$/),
        fc.date({ noInvalidDate: true }).map((d) => d.toUTCString()),
        fc.constant("09/14/2099 00:00:00 PM +00:00"),
        anyJson
      ),
      not_before: fc.oneof(fc.integer(), fc.string({ maxLength: 12 }), anyJson),
      refresh_in: fc.oneof(fc.integer({ min: -10, max: 100_000 }), fc.string({ maxLength: 12 }), anyJson),
      token_type: fc.oneof(fc.constant("Bearer"), fc.string({ maxLength: 10 }), anyJson),
      resource: fc.oneof(fc.constant("https://vault.azure.net"), text, anyJson)
    },
    { requiredKeys: [] }
  )
  .map((fields) => JSON.stringify(fields))

const validToken = fc
  .integer({ min: 60, max: 200_000 })
  .map((seconds) => JSON.stringify({ access_token: SECRETS.token, expires_in: String(seconds), token_type: "Bearer" }))

const bodyText: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: tokenShaped },
  { weight: 2, arbitrary: validToken },
  // Cut anywhere, as a dropped connection would.
  { weight: 2, arbitrary: fc.tuple(tokenShaped, fc.nat()).map(([s, n]) => s.slice(0, n % (s.length + 1))) },
  { weight: 2, arbitrary: fc.string({ maxLength: 120 }) },
  { weight: 1, arbitrary: anyJson.map((v) => JSON.stringify(v)) },
  {
    weight: 2,
    arbitrary: fc
      .tuple(secret, fc.constantFrom("error_description", "message", "Message", "correlation_id"))
      .map(([s, field]) => JSON.stringify({ error: "invalid_request", [field]: `you sent ${s}`, statusCode: 400 }))
  },
  { weight: 1, arbitrary: secret.map((s) => `upstream said: ${s}`) },
  { weight: 1, arbitrary: fc.constant("<!DOCTYPE html><html><body><h1>502 - Web server received an invalid response") },
  { weight: 1, arbitrary: fc.integer({ min: 65_000, max: 70_000 }).map((n) => `{"access_token":"${"x".repeat(n)}"}`) },
  { weight: 1, arbitrary: fc.constant("") }
)

const body: fc.Arbitrary<Body> = fc.oneof(
  { weight: 9, arbitrary: bodyText },
  { weight: 1, arbitrary: bodyText.map((s) => ({ breaksAfter: s.slice(0, 20) })) }
)

const headerValue = fc.oneof(
  fc.stringMatching(/^[\x21-\x7e]([\x20-\x7e]{0,30}[\x21-\x7e])?$/),
  secret,
  fc.constantFrom("0", "5", "120", "Wed, 21 Oct 2015 07:28:00 GMT", "application/json", "text/html", "99999999")
)

const realm = fc.oneof(
  fc.constantFrom(
    KEY_FILE,
    `${KEY_DIRECTORY}/../../../../etc/shadow.key`,
    "/etc/shadow.key",
    `${KEY_DIRECTORY}/escape.key`,
    `${KEY_DIRECTORY}/huge.key`,
    `${KEY_DIRECTORY}/missing.key`,
    `${KEY_DIRECTORY}/0123abcd.txt`,
    "0123abcd.key",
    `${KEY_DIRECTORY}\\..\\..\\etc\\shadow.key`,
    `"${KEY_FILE}"`
  ),
  fc.string({ maxLength: 40 })
)

const headers = fc.oneof(
  fc.dictionary(
    fc.constantFrom(
      "content-type",
      "retry-after",
      "retry-after-ms",
      "x-ms-request-id",
      "www-authenticate",
      "content-length",
      "x-anything"
    ),
    headerValue,
    { maxKeys: 4 }
  ),
  realm.map((path) => ({ "www-authenticate": `Basic realm=${path}` }))
)

const NULL_BODY_STATUS = new Set([204, 205, 304])

const response: fc.Arbitrary<Reply> = fc.record({
  _tag: fc.constant("response" as const),
  status: fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(200, 401, 400, 404, 410, 429, 500, 503) },
    { weight: 2, arbitrary: fc.integer({ min: 200, max: 599 }) }
  ),
  headers,
  body
})

const transportCodes = [
  "ECONNREFUSED",
  "EACCES",
  "ECONNRESET",
  "ETIMEDOUT",
  "ENOTFOUND",
  "EHOSTUNREACH",
  "UND_ERR_SOCKET",
  "UND_ERR_CONNECT_TIMEOUT",
  "ERR_MI_CONNECT_TIMEOUT",
  "ERR_MI_CERTIFICATE_PIN",
  "whatever"
]

const transport: fc.Arbitrary<Reply> = fc
  .oneof(
    { weight: 1, arbitrary: fc.anything({ maxDepth: 2 }) },
    {
      weight: 3,
      arbitrary: fc
        .record({ code: fc.constantFrom(...transportCodes), message: text })
        .map(
          ({ code, message }) => new TypeError("fetch failed", { cause: Object.assign(new Error(message), { code }) })
        )
    },
    { weight: 1, arbitrary: text.map((message) => new Error(message)) }
  )
  .map((cause) => ({ _tag: "transport" as const, cause }))

// The answers of a healthy endpoint, mixed in so that the happy paths (and Arc's challenge) are
// reached often enough to be fuzzed too.
const tokenAnswer: fc.Arbitrary<Reply> = fc.record({
  _tag: fc.constant("response" as const),
  status: fc.constantFrom(200, 200, 201),
  headers: fc.oneof(fc.constant({ "content-type": "application/json" }), headers),
  body: fc.oneof({ weight: 3, arbitrary: validToken }, { weight: 1, arbitrary: body })
})
const arcChallenge: fc.Arbitrary<Reply> = fc.record({
  _tag: fc.constant("response" as const),
  status: fc.constant(401),
  headers: fc.oneof({ weight: 2, arbitrary: fc.constant(KEY_FILE) }, { weight: 3, arbitrary: realm }).map((path) => ({
    "www-authenticate": `Basic realm=${path}`
  })),
  body: fc.constant("")
})

const reply: fc.Arbitrary<Reply> = fc.oneof(
  { weight: 5, arbitrary: response },
  { weight: 3, arbitrary: tokenAnswer },
  { weight: 2, arbitrary: arcChallenge },
  { weight: 2, arbitrary: transport }
)

// ---------------------------------------------------------------------------------------------
// The fuzzed transport and the property
// ---------------------------------------------------------------------------------------------

const breakingStream = (prefix: string) =>
  new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(new TextEncoder().encode(prefix))
      controller.error(Object.assign(new Error("other side closed"), { code: "UND_ERR_SOCKET" }))
    }
  })

const fuzzedHttp = (replies: ReadonlyArray<Reply>) => {
  const sent: Array<{ readonly url: string; readonly authorization: string | undefined }> = []
  const fetch: typeof globalThis.fetch = async (input, init) => {
    const next = replies[Math.min(sent.length, replies.length - 1)]!
    sent.push({
      url: FetchTransport.urlOf(input).toString(),
      authorization: new Headers(init?.headers).get("authorization") ?? undefined
    })
    if (next._tag === "transport") throw next.cause
    const payload = NULL_BODY_STATUS.has(next.status)
      ? null
      : typeof next.body === "string"
        ? next.body
        : breakingStream(next.body.breaksAfter)
    return new Response(payload, { status: next.status, headers: next.headers })
  }
  return { sent, client: FetchTransport.make(fetch) }
}

/** Reads that happened, so a test can prove a file outside the key directory was never opened. */
const countingReader = () => {
  const inner = FileReader.memory(files())
  const readTexts: Array<string> = []
  const reader: FileReader.FileReader["Type"] = {
    ...inner,
    readText: (path, options) => {
      readTexts.push(path)
      return inner.readText(path, options)
    }
  }
  return { readTexts, reader }
}

const services = (name: SourceName.SourceName, client: HttpTransport.Service, reader: FileReader.FileReader["Type"]) =>
  Layer.mergeAll(
    Layer.succeed(HttpTransport.HttpTransport, client),
    Environment.layer(variables[name]),
    FileReader.layer(reader),
    // Service Fabric asks the pinning service for its client: hand it the fuzzed one.
    Layer.succeed(CertificatePinning.CertificatePinning, { client: () => Effect.succeed(client) })
  )

const endpointErrorTags = new Set(["Unavailable", "Transient", "Rejected", "InvalidResponse"])

/** Everything a user or a log could ever see of an error. */
const renderings = (error: unknown): string =>
  [
    String(error),
    (error as Error).message,
    JSON.stringify(error),
    inspect(error, { depth: 6 }),
    Cause.pretty(Cause.fail(error))
  ].join("\n")

/** Which outcomes the runs reached, so a generator that stopped producing variety fails the test. */
const outcomeOf = (exit: Exit.Exit<unknown, unknown>): string =>
  Exit.isSuccess(exit)
    ? "token"
    : Option.match(Cause.failureOption(exit.cause), {
        onNone: () => "defect",
        onSome: (e) => (e as { _tag: string })._tag
      })

const checkExit = (exit: Exit.Exit<unknown, unknown>, now: number) => {
  if (Exit.isSuccess(exit)) {
    const token = exit.value as { token: string; expiresOn: number; refreshOn: number }
    expect(typeof token.token).toBe("string")
    expect(token.token.trim().length).toBeGreaterThan(0)
    expect(Number.isFinite(token.expiresOn)).toBe(true)
    expect(token.expiresOn).toBeGreaterThan(now - 5_000)
    expect(token.refreshOn).toBeLessThanOrEqual(token.expiresOn)
    // The token never shows in what gets logged (a fuzzed one-character "token" would, by chance).
    if (token.token.length >= 16) {
      expect(`${String(token)} ${JSON.stringify(token)} ${inspect(token)}`).not.toContain(token.token)
    }
    return
  }
  // Exactly a typed failure: no defect, no interruption.
  expect(Cause.isDie(exit.cause)).toBe(false)
  expect(Cause.isInterrupted(exit.cause)).toBe(false)
  const failure = Option.getOrThrow(Cause.failureOption(exit.cause)) as { _tag: string; message: unknown }
  expect(endpointErrorTags.has(failure._tag)).toBe(true)
  expect(typeof failure.message).toBe("string")
  const shown = renderings(failure)
  for (const value of secretValues) expect(shown).not.toContain(value)
}

const resource = Either.getOrThrow(Resource.make("https://vault.azure.net"))

describe("fuzzing every source's acquire", () => {
  it.each(sourceNames)("%s: arbitrary answers give a valid token or one typed error, never a defect", async (name) => {
    const seen = new Set<string>()
    let keySent = 0
    await fc.assert(
      fc.asyncProperty(fc.array(reply, { minLength: 1, maxLength: 3 }), async (replies) => {
        const http = fuzzedHttp(replies)
        const files = countingReader()
        const now = Date.now()
        const exit = await Effect.runPromiseExit(
          Effect.flatMap(Detection.make(name, { arcKeyDirectory: KEY_DIRECTORY }), (source) =>
            run(source.start({ identity: Identity.systemAssigned, resource }))
          ).pipe(Effect.provide(services(name, http.client, files.reader)))
        )
        checkExit(exit, now)
        seen.add(outcomeOf(exit))
        // Arc reads only the one key file inside its directory, and only ever sends that file.
        expect(files.readTexts.filter((path) => path !== KEY_FILE && path !== TOKEN_FILE)).toEqual([])
        for (const request of http.sent) {
          if (request.authorization === undefined) continue
          expect(request.authorization).toBe(`Basic ${SECRETS.arcKey}`)
          keySent++
        }
      }),
      { numRuns: 150 }
    )
    expect([...seen].sort()).toEqual(["InvalidResponse", "Rejected", "Transient", "Unavailable", "token"])
    if (name === "AzureArc") expect(keySent).toBeGreaterThan(0)
  })
})

describe("fuzzing the whole stack", () => {
  it.each(sourceNames)("%s: getToken (cache, breaker, one attempt) never dies", async (name) => {
    await fc.assert(
      fc.asyncProperty(fc.array(reply, { minLength: 1, maxLength: 3 }), async (replies) => {
        const http = fuzzedHttp(replies)
        const files = countingReader()
        const now = Date.now()
        const exit = await Effect.runPromiseExit(
          Effect.scoped(
            Effect.flatMap(
              ManagedIdentity.make({
                endpointGuard: ManagedIdentity.allowLoopbackOnly,
                sourceOptions: { arcKeyDirectory: KEY_DIRECTORY },
                retry: false
              }),
              (mi) => mi.getToken("https://vault.azure.net/.default")
            )
          ).pipe(Effect.provide(services(name, http.client, files.reader)))
        )
        checkExit(exit, now)
      }),
      { numRuns: 60 }
    )
  })
})
