import { describe, expect, it } from "@effect/vitest"
import { run } from "../src/internal/exchange.js"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as TestClock from "effect/TestClock"
import { FileReader, Identity, WorkloadIdentitySource } from "../src/index.js"
import { TOKEN, bodyText, fakeHttp, resource, urlOf } from "./support/sourceFakes.js"

const FILE = "/var/run/secrets/azure/tokens/azure-identity-token"
const ASSERTION_1 = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQ6ZGVmYXVsdDp3b3JrbG9hZCJ9.one"
const ASSERTION_2 = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQ6ZGVmYXVsdDp3b3JrbG9hZCJ9.two"
const variables = {
  AZURE_FEDERATED_TOKEN_FILE: FILE,
  AZURE_CLIENT_ID: "00000000-0000-0000-0000-000000000001",
  AZURE_TENANT_ID: "72f988bf-86f1-41af-91ab-2d7cd011db47"
}
const config = Either.getOrThrow(WorkloadIdentitySource.fromVariables(variables))
const ARM = resource()

const entraAnswer = () => ({
  status: 200,
  body: JSON.stringify({ token_type: "Bearer", expires_in: 3599, ext_expires_in: 3599, access_token: TOKEN })
})

describe("WorkloadIdentitySource.fromVariables", () => {
  it("defaults to the public cloud authority", () => {
    expect(config.authorityHost.href).toBe("https://login.microsoftonline.com/")
    expect(WorkloadIdentitySource.make(config).endpoint).toBe(
      "https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/oauth2/v2.0/token"
    )
  })

  it("uses AZURE_AUTHORITY_HOST, with a path, once", () => {
    const sovereign = Either.getOrThrow(
      WorkloadIdentitySource.fromVariables({ ...variables, AZURE_AUTHORITY_HOST: "https://login.microsoftonline.us/" })
    )
    expect(WorkloadIdentitySource.tokenEndpoint(sovereign).href).toBe(
      "https://login.microsoftonline.us/72f988bf-86f1-41af-91ab-2d7cd011db47/oauth2/v2.0/token"
    )
    const emulator = Either.getOrThrow(
      WorkloadIdentitySource.fromVariables({ ...variables, AZURE_AUTHORITY_HOST: "http://127.0.0.1:8443/entra" })
    )
    expect(WorkloadIdentitySource.tokenEndpoint(emulator).href).toBe(
      "http://127.0.0.1:8443/entra/72f988bf-86f1-41af-91ab-2d7cd011db47/oauth2/v2.0/token"
    )
  })

  it.each([
    ["AZURE_TENANT_ID", "../../evil"],
    ["AZURE_TENANT_ID", "a/b"],
    ["AZURE_TENANT_ID", "tenant?x=1"],
    ["AZURE_TENANT_ID", "contoso.onmicrosoft.com#x"],
    ["AZURE_CLIENT_ID", "a b"],
    ["AZURE_AUTHORITY_HOST", "http://login.example.com"],
    ["AZURE_AUTHORITY_HOST", "not a url"]
  ])("refuses %s=%j naming it", (name, value) => {
    const result = WorkloadIdentitySource.fromVariables({ ...variables, [name]: value })
    expect(Either.isLeft(result) && result.left).toMatchObject({ _tag: "InvalidArgument", argument: name })
  })

  it("accepts a tenant domain name", () => {
    const result = WorkloadIdentitySource.fromVariables({ ...variables, AZURE_TENANT_ID: "contoso.onmicrosoft.com" })
    expect(Either.isRight(result)).toBe(true)
  })

  it("needs all three variables", () => {
    const result = WorkloadIdentitySource.fromVariables({ ...variables, AZURE_TENANT_ID: undefined })
    expect(Either.isLeft(result) && result.left).toMatchObject({ _tag: "Unavailable", reason: "not-configured" })
  })
})

describe("WorkloadIdentitySource.request", () => {
  it("POSTs a client-credentials grant with the assertion", () => {
    const request = Either.getOrThrow(WorkloadIdentitySource.request(config, Identity.systemAssigned, ARM, ASSERTION_1))
    expect(request.method).toBe("POST")
    expect(urlOf(request).href).toBe(
      "https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/oauth2/v2.0/token"
    )
    expect(request.headers["content-type"]).toBe("application/x-www-form-urlencoded")
    expect([...new URLSearchParams(bodyText(request)).entries()]).toEqual([
      ["grant_type", "client_credentials"],
      ["client_id", "00000000-0000-0000-0000-000000000001"],
      ["scope", "https://management.azure.com/.default"],
      ["client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"],
      ["client_assertion", ASSERTION_1]
    ])
  })

  it("lets a user-assigned client id override AZURE_CLIENT_ID, and passes claims", () => {
    const request = Either.getOrThrow(
      WorkloadIdentitySource.request(
        config,
        Either.getOrThrow(Identity.clientId("other&scope=x")),
        resource("https://vault.azure.net"),
        "a",
        '{"x":1}'
      )
    )
    const form = new URLSearchParams(bodyText(request))
    expect(form.get("client_id")).toBe("other&scope=x")
    expect(form.getAll("scope")).toEqual(["https://vault.azure.net/.default"])
    expect(form.get("claims")).toBe('{"x":1}')
  })

  it.each([Either.getOrThrow(Identity.objectId("o")), Either.getOrThrow(Identity.resourceId("/r"))])(
    "refuses %j as unsupported-identity",
    (identity) => {
      const result = WorkloadIdentitySource.request(config, identity, ARM, ASSERTION_1)
      expect(Either.isLeft(result) && result.left).toMatchObject({
        _tag: "Unavailable",
        reason: "unsupported-identity"
      })
    }
  )
})

describe("WorkloadIdentitySource.make: acquire", () => {
  it.effect("re-reads the token file on every acquire (it rotates)", () =>
    Effect.gen(function* () {
      const files: Record<string, string> = { [FILE]: `${ASSERTION_1}\n` }
      // A reader over a mutable record: changing the file between calls is what Kubernetes does.
      const reader: FileReader.FileReader["Type"] = {
        realPath: (path) => FileReader.memory({ files }).realPath(path),
        stat: (path) => FileReader.memory({ files }).stat(path),
        readText: (path, options) => FileReader.memory({ files }).readText(path, options),
        exists: (path) => FileReader.memory({ files }).exists(path)
      }
      const http = fakeHttp(() => entraAnswer())
      const provide = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
        effect.pipe(Effect.provide(FileReader.layer(reader)), Effect.provide(http.layer))
      const source = WorkloadIdentitySource.make(config)
      const first = yield* run(source.start({ identity: Identity.systemAssigned, resource: ARM })).pipe(provide)
      files[FILE] = ASSERTION_2
      yield* TestClock.adjust(60_000)
      yield* run(source.start({ identity: Identity.systemAssigned, resource: ARM })).pipe(provide)
      expect(first.token).toBe(TOKEN)
      expect(first.resource).toBe("https://management.azure.com/")
      expect(http.recorded.map((r) => new URLSearchParams(r.body).get("client_assertion"))).toEqual([
        ASSERTION_1,
        ASSERTION_2
      ])
    })
  )

  it.effect("on AADSTS700024 (assertion expired) re-reads the file and asks once more", () =>
    Effect.gen(function* () {
      const files: Record<string, string> = { [FILE]: ASSERTION_1 }
      const reader: FileReader.FileReader["Type"] = {
        realPath: (path) => FileReader.memory({ files }).realPath(path),
        stat: (path) => FileReader.memory({ files }).stat(path),
        // The kubelet rotates the file just after it is read.
        readText: (path, options) =>
          Effect.tap(FileReader.memory({ files }).readText(path, options), () =>
            Effect.sync(() => {
              files[FILE] = ASSERTION_2
            })
          ),
        exists: (path) => FileReader.memory({ files }).exists(path)
      }
      const expired = {
        status: 400,
        body: JSON.stringify({
          error: "invalid_client",
          error_description: "AADSTS700024: Client assertion is not within its valid time range.",
          error_codes: [700024]
        })
      }
      const http = fakeHttp((_, index) => (index === 0 ? expired : entraAnswer()))
      const token = yield* run(
        WorkloadIdentitySource.make(config).start({ identity: Identity.systemAssigned, resource: ARM })
      ).pipe(Effect.provide(FileReader.layer(reader)), Effect.provide(http.layer))
      expect(token.token).toBe(TOKEN)
      expect(http.recorded.map((r) => new URLSearchParams(r.body).get("client_assertion"))).toEqual([
        ASSERTION_1,
        ASSERTION_2
      ])
    })
  )

  it.effect("asks once more only: a second AADSTS700024, or another refusal, is the error", () =>
    Effect.gen(function* () {
      const expired = {
        status: 400,
        body: JSON.stringify({
          error: "invalid_client",
          error_description: "AADSTS700024: expired",
          error_codes: [700024]
        })
      }
      const twice = fakeHttp(() => expired)
      const error = yield* Effect.flip(
        run(WorkloadIdentitySource.make(config).start({ identity: Identity.systemAssigned, resource: ARM })).pipe(
          Effect.provide(FileReader.layer(FileReader.memory({ files: { [FILE]: ASSERTION_1 } }))),
          Effect.provide(twice.layer)
        )
      )
      expect(error).toMatchObject({ _tag: "Rejected", evidence: { codes: [700024] } })
      expect(twice.recorded).toHaveLength(2)
      // The words alone, without the structured code, are not evidence: no second request.
      const wordsOnly = fakeHttp(() => ({
        status: 400,
        body: JSON.stringify({ error: "invalid_client", error_description: "AADSTS700024: expired" })
      }))
      yield* Effect.flip(
        run(WorkloadIdentitySource.make(config).start({ identity: Identity.systemAssigned, resource: ARM })).pipe(
          Effect.provide(FileReader.layer(FileReader.memory({ files: { [FILE]: ASSERTION_1 } }))),
          Effect.provide(wordsOnly.layer)
        )
      )
      expect(wordsOnly.recorded).toHaveLength(1)
    })
  )

  it.effect("is Unavailable when the token file is missing or empty, naming the file", () =>
    Effect.gen(function* () {
      const http = fakeHttp(() => entraAnswer())
      const missing = yield* Effect.flip(
        run(WorkloadIdentitySource.make(config).start({ identity: Identity.systemAssigned, resource: ARM })).pipe(
          Effect.provide(FileReader.layer(FileReader.memory({ files: {} }))),
          Effect.provide(http.layer)
        )
      )
      expect(missing).toMatchObject({ _tag: "Unavailable", reason: "not-configured" })
      expect(missing.message).toContain(FILE)
      const empty = yield* Effect.flip(
        run(WorkloadIdentitySource.make(config).start({ identity: Identity.systemAssigned, resource: ARM })).pipe(
          Effect.provide(FileReader.layer(FileReader.memory({ files: { [FILE]: " \n" } }))),
          Effect.provide(http.layer)
        )
      )
      expect(empty).toMatchObject({ _tag: "Unavailable", reason: "not-configured" })
      const edge = yield* Effect.flip(
        run(WorkloadIdentitySource.make(config).start({ identity: Identity.systemAssigned, resource: ARM })).pipe(
          Effect.provide(FileReader.layer(FileReader.unsupported("no fs"))),
          Effect.provide(http.layer)
        )
      )
      expect(edge).toMatchObject({ _tag: "Unavailable", reason: "unsupported-runtime" })
      expect(http.recorded).toHaveLength(0)
    })
  )

  it.effect("never shows the assertion when Entra rejects it", () =>
    Effect.gen(function* () {
      const http = fakeHttp([
        {
          status: 400,
          body: JSON.stringify({
            error: "invalid_client",
            error_description: `AADSTS700024: Client assertion ${ASSERTION_1} is not within its valid time range.`,
            error_codes: [700024],
            correlation_id: "corr-1"
          })
        }
      ])
      const error = yield* Effect.flip(
        run(WorkloadIdentitySource.make(config).start({ identity: Identity.systemAssigned, resource: ARM })).pipe(
          Effect.provide(FileReader.layer(FileReader.memory({ files: { [FILE]: ASSERTION_1 } }))),
          Effect.provide(http.layer)
        )
      )
      expect(error).toMatchObject({ _tag: "Rejected", error: "invalid_client", correlationId: "corr-1", status: 400 })
      expect(error.message).toContain("AADSTS700024")
      for (const text of [error.message, String(error), JSON.stringify(error)]) {
        expect(text).not.toContain(ASSERTION_1)
        expect(text).not.toContain(ASSERTION_1.slice(0, 30))
      }
    })
  )
})
