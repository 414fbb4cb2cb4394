import { describe, expect, it } from "@effect/vitest"
import { run } from "../src/internal/exchange.js"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as TestClock from "effect/TestClock"
import { AzureMlSource, Identity } from "../src/index.js"
import { TOKEN, fakeHttp, resource, urlOf } from "./support/sourceFakes.js"

const SECRET = "ml-secret-0123456789abcdef"
const variables = { MSI_ENDPOINT: "http://127.0.0.1:46808/msi/token", MSI_SECRET: SECRET }
const config = Either.getOrThrow(AzureMlSource.fromVariables(variables))
const STORAGE = resource("https://storage.azure.com/")

describe("AzureMlSource.fromVariables", () => {
  it("needs MSI_ENDPOINT and MSI_SECRET", () => {
    const result = AzureMlSource.fromVariables({ MSI_ENDPOINT: variables.MSI_ENDPOINT })
    expect(Either.isLeft(result) && result.left).toMatchObject({ _tag: "Unavailable", reason: "not-configured" })
  })

  it("names MSI_ENDPOINT when it is not a URL", () => {
    const result = AzureMlSource.fromVariables({ ...variables, MSI_ENDPOINT: "::" })
    expect(Either.isLeft(result) && result.left).toMatchObject({ _tag: "InvalidArgument", argument: "MSI_ENDPOINT" })
  })
})

describe("AzureMlSource.request", () => {
  it("asks with api-version 2017-09-01 and the secret header", () => {
    const request = Either.getOrThrow(AzureMlSource.request(config, Identity.systemAssigned, STORAGE))
    expect(request.method).toBe("GET")
    expect(urlOf(request).href).toBe(
      "http://127.0.0.1:46808/msi/token?api-version=2017-09-01&resource=https%3A%2F%2Fstorage.azure.com%2F"
    )
    expect(request.headers).toEqual({ secret: SECRET, metadata: "true" })
  })

  it("sends the compute's DEFAULT_IDENTITY_CLIENT_ID for the system-assigned identity", () => {
    const withDefault = Either.getOrThrow(
      AzureMlSource.fromVariables({ ...variables, DEFAULT_IDENTITY_CLIENT_ID: "def" })
    )
    const url = urlOf(Either.getOrThrow(AzureMlSource.request(withDefault, Identity.systemAssigned, STORAGE)))
    expect(url.searchParams.get("clientid")).toBe("def")
  })

  it("selects a user-assigned identity by clientid (no underscore)", () => {
    const url = urlOf(
      Either.getOrThrow(AzureMlSource.request(config, Either.getOrThrow(Identity.clientId("cid&x=1")), STORAGE))
    )
    expect([...url.searchParams.entries()]).toEqual([
      ["api-version", "2017-09-01"],
      ["resource", "https://storage.azure.com/"],
      ["clientid", "cid&x=1"]
    ])
    expect(url.searchParams.get("client_id")).toBeNull()
  })

  it.each([
    Either.getOrThrow(Identity.objectId("oid")),
    Either.getOrThrow(Identity.resourceId("/subscriptions/s/uami"))
  ])("refuses %j clearly as Unavailable unsupported-identity", (identity) => {
    const result = AzureMlSource.request(config, identity, STORAGE)
    expect(Either.isLeft(result) && result.left).toMatchObject({
      _tag: "Unavailable",
      reason: "unsupported-identity",
      source: "AzureML"
    })
    expect(Either.isLeft(result) && result.left.message).toContain("client id only")
  })
})

describe("AzureMlSource.make: acquire", () => {
  it.effect("reads the legacy date-string expires_on", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(Date.UTC(2017, 8, 14, 10, 0, 0))
      const http = fakeHttp([
        {
          status: 200,
          body: JSON.stringify({
            access_token: TOKEN,
            expires_on: "09/14/2017 00:00:00 PM +00:00",
            resource: "https://storage.azure.com/",
            token_type: "Bearer"
          })
        }
      ])
      const token = yield* run(
        AzureMlSource.make(config).start({ identity: Either.getOrThrow(Identity.clientId("cid")), resource: STORAGE })
      ).pipe(Effect.provide(http.layer))
      expect(token.expiresOn).toBe(Date.UTC(2017, 8, 14, 12, 0, 0))
      expect(http.recorded[0]!.url.searchParams.get("clientid")).toBe("cid")
      expect(http.recorded[0]!.headers.secret).toBe(SECRET)
    })
  )

  it.effect("fails an unsupported identity without sending anything", () =>
    Effect.gen(function* () {
      const http = fakeHttp([{ status: 200 }])
      const error = yield* Effect.flip(
        run(
          AzureMlSource.make(config).start({ identity: Either.getOrThrow(Identity.objectId("oid")), resource: STORAGE })
        ).pipe(Effect.provide(http.layer))
      )
      expect(error).toMatchObject({ _tag: "Unavailable", reason: "unsupported-identity", attempts: 0 })
      expect(http.recorded).toHaveLength(0)
    })
  )
})
