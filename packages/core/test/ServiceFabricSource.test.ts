import { describe, expect, it } from "@effect/vitest"
import { run } from "../src/internal/exchange.js"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import { CertificatePinning, HttpTransport, Identity, ServiceFabricSource } from "../src/index.js"
import { TOKEN, fakeHttp, noFiles, noPinning, resource, tokenBody, urlOf } from "./support/sourceFakes.js"

const SECRET = "sf-identity-header-secret-value"
const THUMBPRINT = "a1:b2:c3:d4:e5:f6:07:18:29:3a:4b:5c:6d:7e:8f:90:12:34:56:78"
const variables = {
  IDENTITY_ENDPOINT: "https://127.0.0.1:2377/metadata/identity/oauth2/token",
  IDENTITY_HEADER: SECRET,
  IDENTITY_SERVER_THUMBPRINT: THUMBPRINT
}
const config = Either.getOrThrow(ServiceFabricSource.fromVariables(variables))
const VAULT = resource("https://vault.azure.net")

describe("ServiceFabricSource.fromVariables", () => {
  it("normalizes the thumbprint", () => {
    expect(config.thumbprint).toBe("A1B2C3D4E5F60718293A4B5C6D7E8F9012345678")
  })

  it.each(["xyz", "A1B2", "A1B2C3D4E5F60718293A4B5C6D7E8F901234567G"])(
    "refuses the thumbprint %s naming IDENTITY_SERVER_THUMBPRINT",
    (thumbprint) => {
      const result = ServiceFabricSource.fromVariables({ ...variables, IDENTITY_SERVER_THUMBPRINT: thumbprint })
      expect(Either.isLeft(result) && result.left).toMatchObject({
        _tag: "InvalidArgument",
        argument: "IDENTITY_SERVER_THUMBPRINT"
      })
    }
  )

  it("needs all three variables", () => {
    const result = ServiceFabricSource.fromVariables({ ...variables, IDENTITY_HEADER: undefined })
    expect(Either.isLeft(result) && result.left).toMatchObject({ _tag: "Unavailable", reason: "not-configured" })
  })
})

describe("ServiceFabricSource.request", () => {
  it("asks with api-version 2019-07-01-preview and the secret header", () => {
    const request = Either.getOrThrow(ServiceFabricSource.request(config, Identity.systemAssigned, VAULT))
    expect(request.method).toBe("GET")
    expect(urlOf(request).href).toBe(
      "https://127.0.0.1:2377/metadata/identity/oauth2/token?api-version=2019-07-01-preview&resource=https%3A%2F%2Fvault.azure.net"
    )
    expect(request.headers).toEqual({ secret: SECRET })
  })

  // The application's manifest binds its identities; the token service ignores a requested id and
  // would answer with the application's own identity, so a user-assigned one is refused up front.
  it.each([
    Either.getOrThrow(Identity.clientId("cid")),
    Either.getOrThrow(Identity.objectId("oid")),
    Either.getOrThrow(Identity.resourceId("/subscriptions/s/uami"))
  ])("refuses %j as unsupported-identity, building nothing", (identity) => {
    const result = ServiceFabricSource.request(config, identity, VAULT)
    expect(Either.isLeft(result) && result.left).toMatchObject({
      _tag: "Unavailable",
      reason: "unsupported-identity",
      source: "ServiceFabric",
      attempts: 0
    })
    expect(Either.isLeft(result) && result.left.message).toContain("manifest")
  })

  it("refuses a plain-http endpoint: its secret never goes over plain HTTP", () => {
    const result = ServiceFabricSource.fromVariables({
      IDENTITY_ENDPOINT: "http://10.0.0.4:2377/metadata/identity/oauth2/token",
      IDENTITY_HEADER: "h",
      IDENTITY_SERVER_THUMBPRINT: "A1B2C3D4E5F60718293A4B5C6D7E8F9012345678"
    })
    expect(Either.isLeft(result) && result.left).toMatchObject({
      _tag: "InvalidArgument",
      argument: "IDENTITY_ENDPOINT"
    })
  })

  it("accepts a remote https endpoint: a cluster's token service may be on another node", () => {
    const result = ServiceFabricSource.fromVariables({
      IDENTITY_ENDPOINT: "https://10.0.0.4:2377/metadata/identity/oauth2/token",
      IDENTITY_HEADER: "h",
      IDENTITY_SERVER_THUMBPRINT: "A1B2C3D4E5F60718293A4B5C6D7E8F9012345678"
    })
    expect(Either.isRight(result)).toBe(true)
  })
})

describe("ServiceFabricSource.make: acquire", () => {
  it.effect("sends through the client pinned to the thumbprint", () =>
    Effect.gen(function* () {
      const http = fakeHttp([{ status: 200, body: tokenBody({ expires_on: 4102444800 }) }])
      const asked: Array<string> = []
      const pinning = Layer.succeed(CertificatePinning.CertificatePinning, {
        client: (thumbprint) => {
          asked.push(thumbprint)
          return Effect.succeed(http.client)
        }
      })
      // The ambient HttpTransport must not be used: it fails every request.
      const ambient = fakeHttp([{ fail: new Error("ambient client used") }])
      const token = yield* run(
        ServiceFabricSource.make(config).start({ identity: Identity.systemAssigned, resource: VAULT })
      ).pipe(Effect.provide(pinning), Effect.provide(ambient.layer))
      expect(token.token).toBe(TOKEN)
      expect(asked).toEqual(["A1B2C3D4E5F60718293A4B5C6D7E8F9012345678"])
      expect(http.recorded).toHaveLength(1)
      expect(ambient.recorded).toHaveLength(0)
    })
  )

  it.effect("is Unavailable with the endpoint when the runtime cannot pin", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(
        run(ServiceFabricSource.make(config).start({ identity: Identity.systemAssigned, resource: VAULT })).pipe(
          Effect.provide(
            Layer.mergeAll(noPinning, noFiles, Layer.succeed(HttpTransport.HttpTransport, fakeHttp([]).client))
          )
        )
      )
      expect(error).toMatchObject({
        _tag: "Unavailable",
        reason: "unsupported-runtime",
        endpoint: "https://127.0.0.1:2377/metadata/identity/oauth2/token"
      })
    })
  )
})
