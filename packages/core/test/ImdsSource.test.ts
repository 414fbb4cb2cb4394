import { describe, expect, it } from "@effect/vitest"
import { run } from "../src/internal/exchange.js"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as TestClock from "effect/TestClock"
import * as Layer from "effect/Layer"
import { CertificatePinning, Environment, FileReader, Identity, ImdsSource, ManagedIdentity } from "../src/index.js"
import { TOKEN, fakeHttp, resource, tokenBody, urlOf } from "./support/sourceFakes.js"

const config = Either.getOrThrow(ImdsSource.fromVariables({}))
const ARM = resource()

describe("ImdsSource.request", () => {
  it("asks for the system-assigned identity exactly as documented", () => {
    const request = Either.getOrThrow(ImdsSource.request(config, Identity.systemAssigned, ARM))
    expect(request.method).toBe("GET")
    expect(urlOf(request).href).toBe(
      "http://169.254.169.254/metadata/identity/oauth2/token?api-version=2018-02-01&resource=https%3A%2F%2Fmanagement.azure.com%2F"
    )
    expect(request.headers).toEqual({ metadata: "true" })
  })

  it.each([
    [Either.getOrThrow(Identity.clientId("11111111-1111-1111-1111-111111111111")), "client_id"],
    [Either.getOrThrow(Identity.objectId("22222222-2222-2222-2222-222222222222")), "object_id"],
    [
      Either.getOrThrow(
        Identity.resourceId(
          "/subscriptions/s/resourcegroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/app"
        )
      ),
      "msi_res_id"
    ]
  ])("selects a user-assigned identity %j with %s", (identity, parameter) => {
    const url = urlOf(Either.getOrThrow(ImdsSource.request(config, identity, ARM)))
    expect([...url.searchParams.keys()]).toEqual(["api-version", "resource", parameter])
    expect(url.searchParams.get(parameter)).toBe(identity._tag === "SystemAssigned" ? undefined : identity.id)
  })

  it("encodes injection attempts in ids and resources; the host never changes", () => {
    const evil = Either.getOrThrow(Identity.clientId("abc&client_id=evil#frag?x=1"))
    const url = urlOf(Either.getOrThrow(ImdsSource.request(config, evil, resource("https://x/?a=1&client_id=evil#f"))))
    expect(url.host).toBe("169.254.169.254")
    expect(url.searchParams.getAll("client_id")).toEqual(["abc&client_id=evil#frag?x=1"])
    expect(url.searchParams.get("resource")).toBe("https://x/?a=1&client_id=evil#f")
    expect(url.hash).toBe("")
  })

  it("cannot be handed an id with CRLF or spaces: no such Identity can be made", () => {
    for (const id of ["abc\r\nX-Injected: 1", "a b", ""]) {
      const result = Identity.clientId(id)
      expect(Either.isLeft(result) && result.left._tag).toBe("InvalidArgument")
    }
  })

  it("replaces the host with AZURE_POD_IDENTITY_AUTHORITY_HOST", () => {
    const pod = Either.getOrThrow(
      ImdsSource.fromVariables({ AZURE_POD_IDENTITY_AUTHORITY_HOST: "http://127.0.0.1:2579/ignored" })
    )
    expect(pod.endpoint.href).toBe("http://127.0.0.1:2579/metadata/identity/oauth2/token")
    expect(ImdsSource.make(pod).endpoint).toBe("http://127.0.0.1:2579/metadata/identity/oauth2/token")
  })

  it("refuses an AZURE_POD_IDENTITY_AUTHORITY_HOST that is not a URL, naming it", () => {
    const result = ImdsSource.fromVariables({ AZURE_POD_IDENTITY_AUTHORITY_HOST: "not a url" })
    expect(Either.isLeft(result) && result.left.argument).toBe("AZURE_POD_IDENTITY_AUTHORITY_HOST")
    const ftp = ImdsSource.fromVariables({ AZURE_POD_IDENTITY_AUTHORITY_HOST: "ftp://127.0.0.1" })
    expect(Either.isLeft(ftp) && ftp.left.message).toContain("http")
  })
})

const POD_VARIABLES = { AZURE_POD_IDENTITY_AUTHORITY_HOST: "http://127.0.0.1:2579" }
const POD = Either.getOrThrow(ImdsSource.fromVariables(POD_VARIABLES))

describe("ImdsSource.make: acquire", () => {
  it.effect("gets a token end to end against a fake endpoint", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(1_000_000)
      const http = fakeHttp([
        { status: 200, body: tokenBody({ expires_in: "3599" }), headers: { "content-type": "application/json" } }
      ])
      const source = ImdsSource.make(POD)
      const token = yield* run(
        source.start({ identity: Either.getOrThrow(Identity.clientId("cid")), resource: ARM })
      ).pipe(Effect.provide(http.layer))
      expect(token.token).toBe(TOKEN)
      expect(token.expiresOn).toBe(1_000_000 + 3_599_000)
      expect(token.resource).toBe("https://management.azure.com/")
      expect(http.recorded).toHaveLength(1)
      expect(http.recorded[0]!.method).toBe("GET")
      expect(http.recorded[0]!.url.host).toBe("127.0.0.1:2579")
      expect(http.recorded[0]!.url.searchParams.get("client_id")).toBe("cid")
      expect(http.recorded[0]!.headers.metadata).toBe("true")
    })
  )

  it.effect("classifies an error answer with source, status, attempts and endpoint", () =>
    Effect.gen(function* () {
      const http = fakeHttp([
        {
          status: 400,
          body: JSON.stringify({ error: "invalid_request", error_description: "Identity not found" }),
          headers: { "x-ms-request-id": "req-1" }
        }
      ])
      const error = yield* Effect.flip(
        run(ImdsSource.make(POD).start({ identity: Identity.systemAssigned, resource: ARM })).pipe(
          Effect.provide(http.layer)
        )
      )
      expect(error._tag).toBe("Unavailable")
      expect(error).toMatchObject({
        source: "IMDS",
        status: 400,
        attempts: 1,
        correlationId: "req-1",
        endpoint: "http://127.0.0.1:2579/metadata/identity/oauth2/token",
        reason: "identity-not-found"
      })
    })
  )

  it.effect("turns a refused connection into Unavailable (a chain moves on)", () =>
    Effect.gen(function* () {
      const refused = new TypeError("fetch failed", {
        cause: Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" })
      })
      const http = fakeHttp([{ fail: refused }])
      const error = yield* Effect.flip(
        run(ImdsSource.make(POD).start({ identity: Identity.systemAssigned, resource: ARM })).pipe(
          Effect.provide(http.layer)
        )
      )
      expect(error._tag).toBe("Unavailable")
      expect(error._tag === "Unavailable" && error.reason).toBe("connection-refused")
    })
  )

  it.effect("answers 410 with a Transient carrying the elapsed time from the clock", () =>
    Effect.gen(function* () {
      const http = fakeHttp([{ status: 410 }])
      const error = yield* Effect.flip(
        run(ImdsSource.make(POD).start({ identity: Identity.systemAssigned, resource: ARM })).pipe(
          Effect.provide(http.layer)
        )
      )
      expect(error._tag).toBe("Transient")
      expect(error.status).toBe(410)
      expect(error.elapsedMs).toBe(0)
    })
  )

  it.scoped("refuses a bad id as InvalidArgument when the service is made, sending nothing", () =>
    Effect.gen(function* () {
      const http = fakeHttp([{ status: 200, body: tokenBody() }])
      const error = yield* Effect.flip(
        ManagedIdentity.make({ identity: { clientId: "a\r\nb" } }).pipe(
          Effect.provide(
            Layer.mergeAll(
              http.layer,
              Environment.layer(POD_VARIABLES),
              FileReader.layer(FileReader.memory({ files: {} })),
              CertificatePinning.unsupported("not needed")
            )
          )
        )
      )
      expect(error).toMatchObject({ _tag: "InvalidArgument", argument: "clientId" })
      expect(http.recorded).toHaveLength(0)
    })
  )
})
