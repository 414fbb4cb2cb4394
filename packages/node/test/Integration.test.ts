/**
 * The Node adapter end to end: real loopback HTTP(S) to the emulator, every source, both APIs,
 * user-assigned selection and every fault class the emulator can inject.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "@effect/vitest"
import { ManagedIdentity } from "@managed-identity/core"
import type { Emulator } from "@managed-identity/emulator"
import * as Effect from "effect/Effect"
import { NodeManagedIdentity } from "../src/effect.js"
import { AuthenticationError, CredentialUnavailableError, InvalidArgumentError } from "../src/index.js"
import { assertLoopbackOnly, credentialFor, startEmulator, USER, verifiedClaims } from "./support/emulator.js"

let emulator: Emulator.Emulator
beforeAll(async () => {
  emulator = await startEmulator()
})
afterAll(async () => {
  await emulator.close()
})
beforeEach(() => {
  emulator.faults.clear()
  emulator.requests.clear()
})

const ARM = "https://management.azure.com/.default"
const endpointOf = {
  imds: "imds",
  appservice: "appservice",
  azureml: "azureml",
  cloudshell: "cloudshell",
  arc: "arc",
  servicefabric: "servicefabric",
  workloadidentity: "entra"
} as const

describe("every source through the Promise API", () => {
  it.each(Object.keys(endpointOf) as Array<keyof typeof endpointOf>)(
    "%s gives a verifiable token for the resource",
    async (source) => {
      const credential = credentialFor(emulator, source)
      const token = await credential.getToken(ARM)
      const claims = verifiedClaims(emulator, token.token)
      expect(String(claims.aud)).toMatch(/^https:\/\/management\.azure\.com\/?$/)
      // Entra answers expires_in (relative), the others expires_on (absolute): within a few seconds of exp.
      expect(Math.abs(token.expiresOnTimestamp - Number(claims.exp) * 1000)).toBeLessThan(5000)
      expect(token.refreshAfterTimestamp).toBeLessThan(token.expiresOnTimestamp)
      expect(emulator.requests.count(endpointOf[source])).toBeGreaterThanOrEqual(1)
      // a second call is a cache hit: no new request
      const before = emulator.requests.count()
      expect((await credential.getToken(ARM)).token).toBe(token.token)
      expect(emulator.requests.count()).toBe(before)
      await credential.close()
    }
  )
})

describe("every source through the Effect API", () => {
  it.each(["imds", "appservice", "azureml", "cloudshell", "arc", "servicefabric", "workloadidentity"] as const)(
    "%s",
    (source) =>
      Effect.gen(function* () {
        const token = yield* ManagedIdentity.getToken("https://vault.azure.net")
        expect(verifiedClaims(emulator, token.token).aud).toBe("https://vault.azure.net")
      }).pipe(
        Effect.provide(
          NodeManagedIdentity.layer({
            environment: assertLoopbackOnly(emulator.envFor(source)),
            endpointGuard: ManagedIdentity.allowLoopbackOnly,
            sourceOptions: { arcKeyDirectory: emulator.keyDirectory }
          })
        ),
        Effect.runPromise
      )
  )
})

describe("user-assigned identities", () => {
  it.each([
    ["imds", { clientId: USER.clientId }],
    ["imds", { objectId: USER.objectId }],
    ["imds", { resourceId: USER.resourceId }],
    ["appservice", { clientId: USER.clientId }],
    ["appservice", { objectId: USER.objectId }],
    ["appservice", { resourceId: USER.resourceId }],
    ["azureml", { clientId: USER.clientId }]
  ] as const)("%s selects %o", async (source, selection) => {
    const credential = credentialFor(emulator, source, selection)
    const claims = verifiedClaims(emulator, (await credential.getToken(ARM)).token)
    expect(claims.oid).toBe(USER.objectId)
    expect(claims.appid ?? claims.azp).toBe(USER.clientId)
    await credential.close()
  })

  it("an unknown identity is a typed error, not a token", async () => {
    const credential = credentialFor(emulator, "imds", { clientId: "00000000-dead-beef-0000-000000000000" })
    const error = await credential.getToken(ARM).catch((e) => e)
    expect([CredentialUnavailableError, AuthenticationError].some((c) => error instanceof c)).toBe(true)
    expect(error.message).toMatch(/identity/i)
    await credential.close()
  })

  it.each([
    ["cloudshell", { clientId: USER.clientId }],
    ["arc", { objectId: USER.objectId }]
  ] as const)("%s cannot select a user-assigned identity and says so without a request", async (source, selection) => {
    const credential = credentialFor(emulator, source, selection)
    const error = await credential.getToken(ARM).catch((e) => e)
    expect(error).toBeInstanceOf(CredentialUnavailableError)
    expect(error.message).toMatch(/user-assigned/i)
    expect(emulator.requests.count()).toBe(0)
    await credential.close()
  })
})

describe("faults", () => {
  const recovers = [
    ["imds:404x2", 3],
    ["imds:410x2", 3],
    ["imds:429x1", 2],
    ["imds:500x2", 3],
    ["imds:502x1", 2],
    ["imds:503x2", 3],
    ["imds:504x1", 2],
    ["imds:resetx2", 3],
    ["imds:truncatex1", 2],
    ["imds:html=500x1", 2],
    ["imds:latency=50x1", 1]
  ] as const
  it.each(recovers)("%s is retried and the caller gets a token (%i requests)", async (fault, requests) => {
    emulator.faults.add(fault)
    const credential = credentialFor(emulator, "imds")
    const token = await credential.getToken(ARM)
    expect(verifiedClaims(emulator, token.token).aud).toBeDefined()
    expect(emulator.requests.count("imds")).toBe(requests)
    await credential.close()
  })

  it("429 with Retry-After waits at least that long", async () => {
    emulator.faults.add({ target: "imds", action: { kind: "status", status: 429, retryAfterSeconds: 1 }, times: 1 })
    const credential = credentialFor(emulator, "imds")
    await credential.getToken(ARM)
    const [first, second] = emulator.requests.all("imds")
    expect(second!.timestamp - first!.timestamp).toBeGreaterThanOrEqual(950)
    await credential.close()
  })

  it.each([
    ["imds:malformed", "invalid_response"],
    ["imds:oversized", "invalid_response"]
  ] as const)("%s is a fast typed error (%s)", async (fault, code) => {
    emulator.faults.add(fault)
    const credential = credentialFor(emulator, "imds", { retry: { maxRetries: 0 } })
    const error = await credential.getToken(ARM).catch((e) => e)
    expect(error).toBeInstanceOf(AuthenticationError)
    expect(error.errorResponse.error).toBe(code)
    expect(error.cause._tag).toBe("InvalidResponse")
    await credential.close()
  })

  it("IMDS's 400 for an identity it does not have is CredentialUnavailableError, not retried", async () => {
    emulator.faults.add("imds:400x1")
    const credential = credentialFor(emulator, "imds")
    const error = await credential.getToken(ARM).catch((e) => e)
    expect(error).toBeInstanceOf(CredentialUnavailableError)
    expect(error.cause._tag).toBe("Unavailable")
    expect(error.cause.reason).toBe("identity-not-found")
    expect(emulator.requests.count("imds")).toBe(1)
    await credential.close()
  })

  it("a 400 for a resource Entra does not know is not retried and quotes Azure's error", async () => {
    const strict = await startEmulator({ resources: ["https://management.azure.com"] })
    try {
      const credential = credentialFor(strict, "imds")
      const error = await credential.getToken("https://vault.azure.net/.default").catch((e) => e)
      expect(error).toBeInstanceOf(AuthenticationError)
      expect(error.statusCode).toBe(400)
      expect(error.errorResponse.error).toBe("invalid_resource")
      expect(error.message).toContain("AADSTS500011")
      expect(strict.requests.count("imds")).toBe(1)
      await credential.close()
    } finally {
      await strict.close()
    }
  })

  it("a refused connection is CredentialUnavailableError at once", async () => {
    emulator.faults.add("imds:refuse~2s")
    const credential = credentialFor(emulator, "imds")
    const error = await credential.getToken(ARM).catch((e) => e)
    expect(error).toBeInstanceOf(CredentialUnavailableError)
    expect(error.cause.reason).toBe("connection-refused")
    emulator.faults.clear()
    await emulator.faults.settled()
    await credential.close()
  })

  it("a black hole times out per attempt and the abort signal still wins", async () => {
    emulator.faults.add("imds:blackhole")
    const credential = credentialFor(emulator, "imds", {
      managedIdentity: { attemptTimeout: 100, retry: { maxRetries: 1, delta: 5 } }
    })
    const error = await credential.getToken(ARM).catch((e) => e)
    expect(error).toBeInstanceOf(AuthenticationError)
    expect(error.cause._tag).toBe("Transient")
    expect(error.cause.reason).toBe("timeout")
    expect(error.cause.attempts).toBe(2)

    const hanging = credentialFor(emulator, "imds", { managedIdentity: { attemptTimeout: 60_000 } })
    const controller = new AbortController()
    const pending = hanging.getToken(ARM, { abortSignal: controller.signal })
    while (emulator.requests.count("imds") < 3) await new Promise((resolve) => setTimeout(resolve, 5))
    controller.abort()
    expect((await pending.catch((e) => e)).name).toBe("AbortError")
    await Promise.all([credential.close(), hanging.close()])
  })

  it("a slow body still arrives", async () => {
    emulator.faults.add("imds:slow=100x1")
    const credential = credentialFor(emulator, "imds")
    expect((await credential.getToken(ARM)).token.split(".")).toHaveLength(3)
    await credential.close()
  })

  it("16% random failures never reach the caller of 50 distinct resources", async () => {
    emulator.faults.add("imds:503@0.16")
    const credential = credentialFor(emulator, "imds")
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => credential.getToken(`api://resource-${i}/.default`))
    )
    expect(results).toHaveLength(50)
    expect(new Set(results.map((r) => r.token)).size).toBe(50)
    await credential.close()
  })
})

describe("single flight", () => {
  it("100 concurrent cold calls make one request", async () => {
    emulator.faults.add("imds:latency=30x1")
    const credential = credentialFor(emulator, "imds")
    const tokens = await Promise.all(Array.from({ length: 100 }, () => credential.getToken(ARM)))
    expect(new Set(tokens.map((t) => t.token)).size).toBe(1)
    expect(emulator.requests.count("imds")).toBe(1)
    await credential.close()
  })
})

describe("input", () => {
  it("several scopes are refused before any request", async () => {
    const credential = credentialFor(emulator, "imds")
    const error = await credential.getToken(["https://a/.default", "https://b/.default"]).catch((e) => e)
    expect(error).toBeInstanceOf(InvalidArgumentError)
    expect(emulator.requests.count()).toBe(0)
    await credential.close()
  })

  it("a resource that tries to inject a parameter is sent encoded as one value", async () => {
    const credential = credentialFor(emulator, "imds")
    await credential.getToken("https://x.example/&client_id=evil").catch(() => undefined)
    const sent = emulator.requests.last("imds")
    expect(sent?.query.client_id).toBeUndefined()
    expect(sent?.query.resource).toBe("https://x.example/&client_id=evil")
    await credential.close()
  })
})

describe("faults through the Effect API", () => {
  const layerFor = (overrides: Partial<NodeManagedIdentity.Options> = {}) =>
    NodeManagedIdentity.layer({
      environment: assertLoopbackOnly(emulator.envFor("imds")),
      endpointGuard: ManagedIdentity.allowLoopbackOnly,
      retry: { delta: 5, maxDelay: 50, jitter: 0 },
      ...overrides
    })

  it("410 then 503 are retried; the token arrives", () =>
    Effect.gen(function* () {
      emulator.faults.add("imds:410x1")
      emulator.faults.add("imds:503x1")
      const token = yield* ManagedIdentity.getToken(ARM)
      expect(verifiedClaims(emulator, token.token).aud).toBeDefined()
      expect(emulator.requests.count("imds")).toBe(3)
    }).pipe(Effect.provide(layerFor()), Effect.runPromise))

  it("a 400 for an unknown resource fails with Rejected after one request, caught by tag", () =>
    Effect.gen(function* () {
      const strict = yield* Effect.acquireRelease(
        Effect.promise(() => startEmulator({ resources: ["https://management.azure.com"] })),
        (server) => Effect.promise(() => server.close())
      )
      const status = yield* ManagedIdentity.getToken("https://vault.azure.net/.default").pipe(
        Effect.map(() => 0),
        Effect.catchTag("Rejected", (error) => Effect.succeed(error.status ?? -1)),
        Effect.provide(
          NodeManagedIdentity.layer({
            environment: assertLoopbackOnly(strict.envFor("imds")),
            endpointGuard: ManagedIdentity.allowLoopbackOnly
          })
        )
      )
      expect(status).toBe(400)
      expect(strict.requests.count("imds")).toBe(1)
    }).pipe(Effect.scoped, Effect.runPromise))

  it("a reset that never heals ends as Transient with every attempt counted", () =>
    Effect.gen(function* () {
      emulator.faults.add("imds:reset")
      const error = yield* Effect.flip(ManagedIdentity.getToken(ARM))
      expect(error._tag).toBe("Transient")
      expect(error._tag === "Transient" && error.attempts).toBe(6)
      expect(emulator.requests.count("imds")).toBe(6)
    }).pipe(Effect.provide(layerFor()), Effect.runPromise))

  it("interruption wins against a black hole", () =>
    Effect.gen(function* () {
      emulator.faults.add("imds:blackhole")
      const result = yield* ManagedIdentity.getToken(ARM, { timeout: "200 millis" }).pipe(Effect.either)
      expect(result._tag).toBe("Left")
      expect(result._tag === "Left" && result.left.message).toContain("deadline")
    }).pipe(Effect.provide(layerFor({ attemptTimeout: "1 minute" })), Effect.runPromise))
})
