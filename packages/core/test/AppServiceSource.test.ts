import * as Headers from "@effect/platform/Headers"
import { run } from "../src/internal/exchange.js"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import { AppServiceSource, HttpClientTransport, HttpTransport, Identity } from "../src/index.js"
import { TOKEN, fakeHttp, noFiles, noPinning, resource, tokenBody, urlOf } from "./support/sourceFakes.js"

const SECRET = "a8f5f167-0b1c-4a4e-8e0f-secret-header"
const variables = { IDENTITY_ENDPOINT: "http://127.0.0.1:41741/msi/token/", IDENTITY_HEADER: SECRET }
const config = Either.getOrThrow(AppServiceSource.fromVariables(variables))
const VAULT = resource("https://vault.azure.net")

describe("AppServiceSource.fromVariables", () => {
  it("needs both variables", () => {
    const result = AppServiceSource.fromVariables({ IDENTITY_ENDPOINT: variables.IDENTITY_ENDPOINT })
    expect(Either.isLeft(result) && result.left).toMatchObject({ _tag: "Unavailable", reason: "not-configured" })
  })

  it("names IDENTITY_ENDPOINT when it is not a URL", () => {
    const result = AppServiceSource.fromVariables({ ...variables, IDENTITY_ENDPOINT: "127.0.0.1:41741" })
    expect(Either.isLeft(result) && result.left).toMatchObject({
      _tag: "InvalidArgument",
      argument: "IDENTITY_ENDPOINT"
    })
  })

  it("refuses an IDENTITY_HEADER that could forge headers, without quoting it", () => {
    const result = AppServiceSource.fromVariables({ ...variables, IDENTITY_HEADER: "abc\r\nX-Evil: 1" })
    expect(Either.isLeft(result) && result.left).toMatchObject({ _tag: "InvalidArgument", argument: "IDENTITY_HEADER" })
    expect(Either.isLeft(result) && result.left.message).not.toContain("X-Evil")
  })

  it("keeps the secret redacted in the configuration", () => {
    expect(Redacted.isRedacted(config.identityHeader)).toBe(true)
    expect(String(config.identityHeader)).not.toContain(SECRET)
    expect(JSON.stringify(AppServiceSource.make(config))).not.toContain(SECRET)
  })
})

describe("AppServiceSource.request", () => {
  it("asks for the system-assigned identity with api-version 2019-08-01 and X-IDENTITY-HEADER", () => {
    const request = Either.getOrThrow(AppServiceSource.request(config, Identity.systemAssigned, VAULT))
    expect(request.method).toBe("GET")
    expect(urlOf(request).href).toBe(
      "http://127.0.0.1:41741/msi/token/?api-version=2019-08-01&resource=https%3A%2F%2Fvault.azure.net"
    )
    expect(request.headers).toEqual({ "x-identity-header": SECRET })
  })

  it.each([
    [Either.getOrThrow(Identity.clientId("cid")), "client_id", "cid"],
    [Either.getOrThrow(Identity.objectId("oid")), "principal_id", "oid"],
    [Either.getOrThrow(Identity.resourceId("/subscriptions/s/rg/uami")), "mi_res_id", "/subscriptions/s/rg/uami"]
  ])("selects %j with %s", (identity, parameter, value) => {
    const url = urlOf(Either.getOrThrow(AppServiceSource.request(config, identity, VAULT)))
    expect([...url.searchParams.entries()]).toEqual([
      ["api-version", "2019-08-01"],
      ["resource", "https://vault.azure.net"],
      [parameter, value]
    ])
  })

  it("encodes injection attempts; the host never changes", () => {
    const url = urlOf(
      Either.getOrThrow(
        AppServiceSource.request(
          config,
          Either.getOrThrow(Identity.objectId("x&client_id=evil")),
          resource("https://a/#x?y&z")
        )
      )
    )
    expect(url.host).toBe("127.0.0.1:41741")
    expect(url.searchParams.get("client_id")).toBeNull()
    expect(url.searchParams.get("principal_id")).toBe("x&client_id=evil")
  })
})

describe("AppServiceSource.make: acquire", () => {
  it.effect("gets a token end to end", () =>
    Effect.gen(function* () {
      const http = fakeHttp([
        {
          status: 200,
          body: JSON.stringify({
            access_token: TOKEN,
            expires_on: "4102444800",
            resource: "https://vault.azure.net",
            token_type: "Bearer",
            client_id: "cid"
          })
        }
      ])
      const token = yield* run(
        AppServiceSource.make(config).start({ identity: Identity.systemAssigned, resource: VAULT })
      ).pipe(Effect.provide(http.layer))
      expect(token.token).toBe(TOKEN)
      expect(token.expiresOn).toBe(4102444800_000)
      expect(http.recorded[0]!.headers["x-identity-header"]).toBe(SECRET)
    })
  )

  it.effect("redacts the secret header in @effect/platform's spans when a platform HttpClient carries it", () =>
    Effect.gen(function* () {
      let redacted: Record<string, unknown> = {}
      const client = HttpClient.make((request, _url, _signal, fiber) => {
        redacted = Headers.redact(request.headers, fiber.getFiberRef(Headers.currentRedactedNames))
        return Effect.succeed(HttpClientResponse.fromWeb(request, new Response(tokenBody())))
      })
      yield* run(AppServiceSource.make(config).start({ identity: Identity.systemAssigned, resource: VAULT })).pipe(
        Effect.provide(
          Layer.mergeAll(
            Layer.succeed(HttpTransport.HttpTransport, HttpClientTransport.fromHttpClient(client)),
            noFiles,
            noPinning
          )
        )
      )
      expect(Redacted.isRedacted(redacted["x-identity-header"])).toBe(true)
      expect(JSON.stringify(redacted)).not.toContain(SECRET)
    })
  )

  it.effect("never shows the secret or a token in an error", () =>
    Effect.gen(function* () {
      const http = fakeHttp([
        {
          status: 400,
          body: JSON.stringify({
            statusCode: 400,
            message: `Bad header ${SECRET}; token ${TOKEN}`,
            correlationId: SECRET
          }),
          headers: { "x-ms-request-id": SECRET }
        }
      ])
      const error = yield* Effect.flip(
        run(AppServiceSource.make(config).start({ identity: Identity.systemAssigned, resource: VAULT })).pipe(
          Effect.provide(http.layer)
        )
      )
      expect(error._tag).toBe("Rejected")
      for (const text of [error.message, String(error), JSON.stringify(error)]) {
        expect(text).not.toContain(SECRET)
        expect(text).not.toContain(TOKEN)
      }
    })
  )

  it.effect("never shows the secret when the transport failure quotes it", () =>
    Effect.gen(function* () {
      const http = fakeHttp([{ fail: new Error(`request with x-identity-header ${SECRET} was reset: ECONNRESET`) }])
      const error = yield* Effect.flip(
        run(AppServiceSource.make(config).start({ identity: Identity.systemAssigned, resource: VAULT })).pipe(
          Effect.provide(http.layer)
        )
      )
      expect(error._tag).toBe("Transient")
      expect(JSON.stringify(error)).not.toContain(SECRET)
      expect(String(error)).not.toContain(SECRET)
    })
  )

  it.effect("refuses an HTML answer with 200 as InvalidResponse html", () =>
    Effect.gen(function* () {
      const http = fakeHttp([{ status: 200, body: "<html>Sign in</html>", headers: { "content-type": "text/html" } }])
      const error = yield* Effect.flip(
        run(AppServiceSource.make(config).start({ identity: Identity.systemAssigned, resource: VAULT })).pipe(
          Effect.provide(http.layer)
        )
      )
      expect(error).toMatchObject({ _tag: "InvalidResponse", reason: "html", source: "AppService", status: 200 })
    })
  )
})
