import { describe, expect, it } from "@effect/vitest"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as TestClock from "effect/TestClock"
import { CertificatePinning, Environment, ManagedIdentity } from "../src/index.js"
import { fakeHttp, noFiles, noPinning, TOKEN, tokenBody } from "./support/sourceFakes.js"

const LOOPBACK = "http://127.0.0.1:8079"
const imdsEnv = { AZURE_POD_IDENTITY_AUTHORITY_HOST: LOOPBACK }
const ARM = "https://management.azure.com/"

const services = (http: ReturnType<typeof fakeHttp>, variables: Record<string, string> = imdsEnv) =>
  Layer.mergeAll(http.layer, Environment.layer(variables), noFiles, noPinning)

const build = (
  http: ReturnType<typeof fakeHttp>,
  config: ManagedIdentity.Config = {},
  variables: Record<string, string> = imdsEnv
) =>
  ManagedIdentity.make({ endpointGuard: ManagedIdentity.allowLoopbackOnly, ...config }).pipe(
    Effect.provide(services(http, variables))
  )

describe("ManagedIdentity", () => {
  it.scoped("detects IMDS, sends the documented request and caches the token", () =>
    Effect.gen(function* () {
      const http = fakeHttp([{ body: tokenBody() }])
      const mi = yield* build(http)
      expect(mi.source).toBe("IMDS")
      expect(mi.endpoint).toBe(`${LOOPBACK}/metadata/identity/oauth2/token`)
      const first = yield* mi.getToken(`${ARM}.default`)
      const second = yield* mi.getToken(["https://management.azure.com"])
      expect(first.token).toBe(TOKEN)
      expect(second).toBe(first)
      expect(http.recorded).toHaveLength(1)
      const sent = http.recorded[0]!
      expect(sent.method).toBe("GET")
      expect(sent.url.searchParams.get("api-version")).toBe("2018-02-01")
      expect(sent.url.searchParams.get("resource")).toBe("https://management.azure.com")
      expect(sent.headers.metadata).toBe("true")
    })
  )

  it.scoped("fails closed: without the emulator variables the guard refuses the real IMDS before any request", () =>
    Effect.gen(function* () {
      const http = fakeHttp([{ body: tokenBody() }])
      const error = yield* Effect.flip(build(http, {}, {}))
      expect(error._tag).toBe("InvalidArgument")
      expect(error.message).toContain("not allowed by the endpoint guard")
      expect(http.recorded).toHaveLength(0)
    })
  )

  it.scoped("retries transient failures on the IMDS schedule and succeeds", () =>
    Effect.gen(function* () {
      const http = fakeHttp([{ status: 503 }, { status: 410 }, { body: tokenBody() }])
      const mi = yield* build(http, { retry: { jitter: 0 } })
      const fiber = yield* Effect.fork(mi.getToken(ARM))
      yield* TestClock.adjust(Duration.seconds(1))
      expect(http.recorded).toHaveLength(1)
      yield* TestClock.adjust(Duration.seconds(1))
      expect(http.recorded).toHaveLength(2)
      yield* TestClock.adjust(Duration.seconds(6))
      const token = yield* Fiber.join(fiber)
      expect(token.token).toBe(TOKEN)
      expect(http.recorded).toHaveLength(3)
    })
  )

  it.scoped("does not retry a rejected request and quotes the endpoint's error", () =>
    Effect.gen(function* () {
      const http = fakeHttp([
        {
          status: 400,
          body: JSON.stringify({ error: "invalid_resource", error_description: "AADSTS500011: resource not found" })
        }
      ])
      const mi = yield* build(http)
      const error = yield* Effect.flip(mi.getToken("https://unknown.example.com/"))
      expect(error._tag).toBe("Rejected")
      expect(error.message).toContain("invalid_resource")
      expect(error.message).toContain("AADSTS500011")
      expect(http.recorded).toHaveLength(1)
    })
  )

  it.scoped("reports Unavailable at once when nothing listens", () =>
    Effect.gen(function* () {
      const refused = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:8079"), { code: "ECONNREFUSED" })
      const http = fakeHttp([{ fail: refused }])
      const mi = yield* build(http)
      const error = yield* Effect.flip(mi.getToken(ARM))
      expect(error._tag).toBe("Unavailable")
      expect(http.recorded).toHaveLength(1)
    })
  )

  it.scoped("opens the circuit after repeated failures and fails fast without a request", () =>
    Effect.gen(function* () {
      const refused = Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" })
      const http = fakeHttp([{ fail: refused }])
      const mi = yield* build(http, { circuitBreaker: { failureThreshold: 3, cooldown: "30 seconds" } })
      for (let i = 0; i < 3; i++) yield* Effect.flip(mi.getToken(ARM))
      expect(http.recorded).toHaveLength(3)
      const error = yield* Effect.flip(mi.getToken(ARM))
      expect(error._tag).toBe("Unavailable")
      expect(error._tag === "Unavailable" && error.reason).toBe("circuit-open")
      expect(http.recorded).toHaveLength(3)
    })
  )

  it.scoped("claims bypass the cache; forceRefresh asks the endpoint again", () =>
    Effect.gen(function* () {
      const http = fakeHttp([{ body: tokenBody() }])
      const mi = yield* build(http)
      yield* mi.getToken(ARM)
      yield* mi.getToken(ARM)
      expect(http.recorded).toHaveLength(1)
      yield* mi.getToken(ARM, { claims: '{"access_token":{"nbf":{"essential":true}}}' })
      expect(http.recorded).toHaveLength(2)
      yield* mi.getToken(ARM, { forceRefresh: true })
      expect(http.recorded).toHaveLength(3)
    })
  )

  it.scoped("an endpoint that never answers times out per attempt and the caller's deadline wins", () =>
    Effect.gen(function* () {
      const never = fakeHttp(() => ({ body: new ReadableStream<Uint8Array>({ start() {} }) }))
      const mi = yield* build(never, { attemptTimeout: "5 seconds" })
      const fiber = yield* Effect.fork(mi.getToken(ARM, { timeout: "20 seconds" }))
      yield* TestClock.adjust(Duration.seconds(20))
      const error = yield* Effect.flip(Fiber.join(fiber))
      expect(error._tag).toBe("Transient")
      expect(error._tag === "Transient" && error.reason).toBe("timeout")
      expect(error.message).toContain("deadline")
      // 5 s per attempt, then waits of 2 and 6 s: attempts at 0, 7 and 18 s before the 20 s deadline.
      expect(never.recorded.length).toBe(3)
    })
  )

  it.scoped("rejects conflicting identity options with a typed error", () =>
    Effect.gen(function* () {
      const http = fakeHttp([{ body: tokenBody() }])
      const error = yield* Effect.flip(build(http, { identity: { clientId: "a", objectId: "b" } }))
      expect(error._tag).toBe("InvalidArgument")
      expect(http.recorded).toHaveLength(0)
    })
  )

  it.scoped("rejects several scopes and scopes that are not URIs before any request", () =>
    Effect.gen(function* () {
      const http = fakeHttp([{ body: tokenBody() }])
      const mi = yield* build(http)
      const many = yield* Effect.flip(mi.getToken(["https://a.example/.default", "https://b.example/.default"]))
      const bad = yield* Effect.flip(mi.getToken("https://x/ y"))
      expect(many._tag).toBe("InvalidArgument")
      expect(bad._tag).toBe("InvalidArgument")
      expect(http.recorded).toHaveLength(0)
    })
  )

  it.scoped("selects a user-assigned identity with the source's parameter", () =>
    Effect.gen(function* () {
      const http = fakeHttp([{ body: tokenBody() }])
      const mi = yield* build(http, { identity: { clientId: "11111111-1111-1111-1111-111111111111" } })
      yield* mi.getToken(ARM)
      expect(http.recorded[0]!.url.searchParams.get("client_id")).toBe("11111111-1111-1111-1111-111111111111")
    })
  )

  it.scoped("peek answers synchronously from the cache once a token is there", () =>
    Effect.gen(function* () {
      const http = fakeHttp([{ body: tokenBody() }])
      const mi = yield* build(http)
      expect(mi.peek(ARM, Date.now())).toBeUndefined()
      const token = yield* mi.getToken(ARM)
      const now = yield* Effect.clockWith((clock) => clock.currentTimeMillis)
      expect(mi.peek(ARM, now)).toBe(token)
      expect(mi.peek(ARM, token.expiresOn)).toBeUndefined()
    })
  )

  it.scoped("uses App Service when IDENTITY_ENDPOINT and IDENTITY_HEADER are set", () =>
    Effect.gen(function* () {
      const http = fakeHttp([{ body: tokenBody({ expires_on: "9999999999" }) }])
      const mi = yield* build(
        http,
        {},
        { IDENTITY_ENDPOINT: `${LOOPBACK}/msi/token`, IDENTITY_HEADER: "header-secret-value" }
      )
      expect(mi.source).toBe("AppService")
      yield* mi.getToken(ARM)
      expect(http.recorded[0]!.headers["x-identity-header"]).toBe("header-secret-value")
    })
  )

  it.scoped("reports retries to onRetry with the attempt, the wait and the cause", () =>
    Effect.gen(function* () {
      const events: Array<ManagedIdentity.RetryEvent> = []
      const http = fakeHttp([{ status: 410 }, { body: tokenBody() }])
      const mi = yield* build(http, {
        retry: { jitter: 0 },
        onRetry: (event) => Effect.sync(() => void events.push(event))
      })
      const fiber = yield* Effect.fork(mi.getToken(ARM))
      yield* TestClock.adjust(Duration.seconds(2))
      yield* Fiber.join(fiber)
      expect(events).toHaveLength(1)
      expect(events[0]!.attempt).toBe(2)
      expect(events[0]!.delayMs).toBe(2000)
      expect(events[0]!.error.status).toBe(410)
    })
  )
})

// An unsigned JWT with the given claims: nothing here verifies signatures, only who the token names.
const jwt = (claims: Record<string, unknown>) =>
  ["eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9", Buffer.from(JSON.stringify(claims)).toString("base64url"), "c2ln"].join(".")

describe("ManagedIdentity: the token is the identity asked for", () => {
  const CLIENT = "5f9c6e1a-0000-4000-8000-00000000c11e"
  const OTHER = "0b0b0b0b-0000-4000-8000-000000000000"
  const RID = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/api"

  it.scoped.each([
    ["client id ↔ appid", { clientId: CLIENT }, { appid: OTHER }, "appid"],
    ["client id ↔ azp", { clientId: CLIENT }, { azp: OTHER }, "azp"],
    ["object id ↔ oid", { objectId: CLIENT }, { oid: OTHER }, "oid"],
    ["resource id ↔ xms_mirid", { resourceId: RID }, { xms_mirid: `${RID}-other` }, "xms_mirid"]
  ] as const)(
    "a token for another identity (%s) is InvalidResponse naming both ids, never the token",
    ([_, identity, claims, claim]) =>
      Effect.gen(function* () {
        const token = jwt({ aud: ARM, iat: 1_700_000_000, ...claims })
        const http = fakeHttp([{ body: tokenBody({ access_token: token }) }])
        const mi = yield* build(http, { identity, retry: false })
        const error = yield* Effect.flip(mi.getToken(ARM))
        expect(error).toMatchObject({ _tag: "InvalidResponse", reason: "wrong-identity" })
        expect(error.message).toContain(Object.values(identity)[0])
        expect(error.message).toContain(claim)
        expect(error.message).not.toContain(token)
        expect(http.recorded).toHaveLength(1)
      })
  )

  it.scoped.each([
    ["the same client id in other case", { clientId: CLIENT }, jwt({ appid: CLIENT.toUpperCase() })],
    ["the same resource id in other case", { resourceId: RID }, jwt({ xms_mirid: RID.toLowerCase() })],
    ["a JWT without the claim", { objectId: CLIENT }, jwt({ aud: ARM })],
    ["an opaque token", { clientId: CLIENT }, "opaque-token-value-0123456789"]
  ] as const)("passes %s", ([_, identity, token]) =>
    Effect.gen(function* () {
      const http = fakeHttp([{ body: tokenBody({ access_token: token }) }])
      const mi = yield* build(http, { identity })
      expect((yield* mi.getToken(ARM)).token).toBe(token)
    })
  )

  it.scoped("is not checked for the system-assigned identity, nor with verifyTokenIdentity: false", () =>
    Effect.gen(function* () {
      const token = jwt({ appid: OTHER })
      const system = yield* build(fakeHttp([{ body: tokenBody({ access_token: token }) }]))
      expect((yield* system.getToken(ARM)).token).toBe(token)
      const off = yield* build(fakeHttp([{ body: tokenBody({ access_token: token }) }]), {
        identity: { clientId: CLIENT },
        verifyTokenIdentity: false
      })
      expect((yield* off.getToken(ARM)).token).toBe(token)
    })
  )

  it.scoped("exposes when the token was issued (its iat), for the token's age", () =>
    Effect.gen(function* () {
      const mi = yield* build(fakeHttp([{ body: tokenBody({ access_token: jwt({ iat: 1_700_000_000 }) }) }]))
      expect((yield* mi.getToken(ARM)).issuedOn).toBe(1_700_000_000_000)
      const opaque = yield* build(fakeHttp([{ body: tokenBody({ access_token: "opaque-0123456789" }) }]))
      expect((yield* opaque.getToken(ARM)).issuedOn).toBeUndefined()
    })
  )
})

describe("ManagedIdentity: claims challenges (CAE)", () => {
  const SF = {
    IDENTITY_ENDPOINT: "https://127.0.0.1:2377/metadata/identity/oauth2/token",
    IDENTITY_HEADER: "secret-header-value",
    IDENTITY_SERVER_THUMBPRINT: "A1B2C3D4E5F60718293A4B5C6D7E8F9012345678"
  }
  const pinnedTo = (http: ReturnType<typeof fakeHttp>) =>
    Layer.mergeAll(
      http.layer,
      Environment.layer(SF),
      noFiles,
      Layer.succeed(CertificatePinning.CertificatePinning, { client: () => Effect.succeed(http.client) })
    )

  it.scoped("Service Fabric: names the rejected token by its SHA-256 (MSAL's revocation), then holds the new one", () =>
    Effect.gen(function* () {
      const http = fakeHttp((_, index) => ({
        body: tokenBody({ access_token: index === 0 ? "test_token" : "fresh_token" })
      }))
      const mi = yield* ManagedIdentity.make({ endpointGuard: ManagedIdentity.allowLoopbackOnly }).pipe(
        Effect.provide(pinnedTo(http))
      )
      expect((yield* mi.getToken(ARM)).token).toBe("test_token")
      const challenged = yield* mi.getToken(ARM, { claims: '{"access_token":{"nbf":{"essential":true}}}' })
      expect(challenged.token).toBe("fresh_token")
      expect(http.recorded).toHaveLength(2)
      expect(http.recorded[0]!.url.searchParams.get("token_sha256_to_refresh")).toBeNull()
      // The fixture of MSAL's own tests: sha256("test_token").
      expect(http.recorded[1]!.url.searchParams.get("token_sha256_to_refresh")).toBe(
        "cc0af97287543b65da2c7e1476426021826cab166f1e063ed012b855ff819656"
      )
      // The rejected token is gone: the next plain call gets the new one, without a request.
      expect((yield* mi.getToken(ARM)).token).toBe("fresh_token")
      expect(http.recorded).toHaveLength(2)
    })
  )

  it.scoped("a source that cannot revoke (IMDS) sends no hash, but the new token still replaces the cached one", () =>
    Effect.gen(function* () {
      const http = fakeHttp((_, index) => ({ body: tokenBody({ access_token: `token-${index}` }) }))
      const mi = yield* build(http)
      expect((yield* mi.getToken(ARM)).token).toBe("token-0")
      expect((yield* mi.getToken(ARM, { claims: "{}" })).token).toBe("token-1")
      expect(http.recorded[1]!.url.searchParams.get("token_sha256_to_refresh")).toBeNull()
      expect((yield* mi.getToken(ARM)).token).toBe("token-1")
      expect(http.recorded).toHaveLength(2)
    })
  )

  it.scoped("with nothing cached, a challenge sends no hash", () =>
    Effect.gen(function* () {
      const http = fakeHttp([{ body: tokenBody({ access_token: "only_token" }) }])
      const mi = yield* ManagedIdentity.make({ endpointGuard: ManagedIdentity.allowLoopbackOnly }).pipe(
        Effect.provide(pinnedTo(http))
      )
      yield* mi.getToken(ARM, { claims: "{}" })
      expect(http.recorded[0]!.url.searchParams.has("token_sha256_to_refresh")).toBe(false)
    })
  )
})
