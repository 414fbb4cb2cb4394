/**
 * The smoke test: the HTTP function's handler, called as the Functions host calls it (an
 * `HttpRequest` and an `InvocationContext`), against the emulator's App Service endpoint and a
 * stand-in Key Vault, both on 127.0.0.1.
 */
import { createHash } from "node:crypto"
import functions from "@azure/functions"
import { Emulator } from "@managed-identity/emulator"
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest"
import { makeGetSecretHandler, type GetSecretOptions } from "../src/getSecretHandler.js"
import { assertLoopback } from "../src/identity.js"
import { metricsHandler, snapshot, total } from "../src/metrics.js"
import { type KeyVaultStandIn, startKeyVaultStandIn } from "../src/local/keyVaultStandIn.js"

const { HttpRequest, InvocationContext } = functions

const CLIENT_ID = "7d3c1b8e-0000-4000-8000-00000000f00d"
const SECRET = "Server=db.internal;Password=correct-horse-battery-staple"
const FINGERPRINT = createHash("sha256").update(SECRET).digest("hex").slice(0, 16)

// A seeded generator for the emulator's probabilistic faults, so every run injects failures.
const seeded = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}

let emulator: Emulator.Emulator
let vault: KeyVaultStandIn
const logs: Array<string> = []

beforeAll(async () => {
  emulator = await Emulator.start({
    identities: ["system", `user:clientId=${CLIENT_ID},name=function-app`],
    random: seeded(16)
  })
  vault = await startKeyVaultStandIn({
    jwks: emulator.jwks,
    tenantId: emulator.tenantId,
    secrets: { "db-connection": SECRET },
    clientId: CLIENT_ID
  })
})
afterAll(async () => {
  await vault?.close()
  await emulator?.close()
})
beforeEach(() => {
  emulator.faults.clear()
  emulator.requests.clear()
  logs.length = 0
})

/** The app settings a Functions host would give an instance, pointed at the emulator (fail closed). */
const appSettings = (): Record<string, string | undefined> => {
  const settings = {
    FUNCTIONS_WORKER_RUNTIME: "node",
    ...emulator.envFor("appservice"),
    AZURE_CLIENT_ID: CLIENT_ID,
    KEY_VAULT_URL: vault.url
  }
  assertLoopback(settings)
  return settings
}

/**
 * A new instance (a cold start): its own handler, credential and SecretClient. A real instance is a
 * process of its own; here they share one, so each keeps its own token cache.
 */
const instance = (options: GetSecretOptions = {}) =>
  makeGetSecretHandler({
    environment: appSettings(),
    sharedTokenCache: false,
    // The write-up's schedule, scaled down 200× so the test takes seconds, not minutes.
    retry: { maxRetries: 5, retryDelayInMs: 10, maxRetryDelayInMs: 50 },
    secretClientOptions: { tlsOptions: { ca: vault.ca } },
    logger: { warn: (line) => logs.push(line), error: (line) => logs.push(line) },
    ...options
  })

const invoke = async (handler: ReturnType<typeof makeGetSecretHandler>, name = "db-connection") => {
  const request = new HttpRequest({
    method: "GET",
    url: `http://127.0.0.1:7071/api/secrets/${name}`,
    params: { name }
  })
  const context = new InvocationContext({
    functionName: "getSecret",
    logHandler: (_level, ...args) => logs.push(args.map(String).join(" "))
  })
  return handler(request, context)
}

const authErrors = (tags: Record<string, string> = {}) => total(snapshot(), "function_app.auth_errors", tags)

describe("getSecret on a consumption plan that fails 16% of token requests", () => {
  it("serves every invocation of 40 cold-started instances, none of the failures reaching a caller", async () => {
    emulator.faults.add("appservice:503@0.16")
    const retriesBefore = total(snapshot(), "managed_identity.retries", { source: "AppService" })
    const errorsBefore = authErrors()
    const instances = Array.from({ length: 40 }, () => instance())

    // Each instance gets five concurrent invocations, as a scale-out burst does.
    const responses = await Promise.all(
      instances.flatMap((handler) => Array.from({ length: 5 }, () => invoke(handler)))
    )
    await Promise.all(instances.map((handler) => handler.close()))

    expect(responses.map((response) => response.status)).toEqual(responses.map(() => 200))
    for (const response of responses) {
      expect(response.jsonBody).toMatchObject({ name: "db-connection", fingerprint: FINGERPRINT, degraded: false })
    }
    // Failures were injected, and retried: exactly one token per instance (single-flight + cache).
    const counters = emulator.requests.counters().appservice
    expect(counters?.byStatus["503"] ?? 0).toBeGreaterThan(0)
    expect(counters?.byStatus["200"]).toBe(40)
    expect(total(snapshot(), "managed_identity.retries", { source: "AppService" }) - retriesBefore).toBe(
      counters?.byStatus["503"]
    )
    expect(authErrors() - errorsBefore).toBe(0)
    // Mitigation 4: every token request named the client id explicitly.
    expect(emulator.requests.all("appservice").every((request) => request.query.client_id === CLIENT_ID)).toBe(true)
    // Key Vault served every read, each with a bearer token the emulator signed for this client id.
    expect(vault.counts.served).toBeGreaterThanOrEqual(200)
    expect(vault.counts.refused).toBe(0)
    // The metrics function reports the library's counters and the app's.
    const { jsonBody } = await metricsHandler()
    const reported = jsonBody.metrics as ReturnType<typeof snapshot>
    expect(total(reported, "managed_identity.requests", { source: "AppService", outcome: "success" })).toBeGreaterThan(
      0
    )
    expect(logs.join("\n")).not.toMatch(/eyJ[\w-]+\.[\w-]+/)
  })
})

describe("start-up environment check", () => {
  it("answers 503 with Retry-After until the host injects IDENTITY_ENDPOINT, then serves", async () => {
    const settings: Record<string, string | undefined> = {
      FUNCTIONS_WORKER_RUNTIME: "node",
      AZURE_CLIENT_ID: CLIENT_ID,
      KEY_VAULT_URL: vault.url
    }
    const handler = instance({ environment: settings })
    // The start-up check logged the problem before any invocation.
    expect(logs.join("\n")).toMatch(/IDENTITY_ENDPOINT/)
    const before = authErrors({ error: "CredentialUnavailableError" })

    const early = await invoke(handler)
    expect(early.status).toBe(503)
    expect(early.headers).toMatchObject({ "retry-after": "30" })
    expect(authErrors({ error: "CredentialUnavailableError" }) - before).toBe(1)
    expect(emulator.requests.count("appservice")).toBe(0)

    // The host injects the variables a moment later (the write-up's cold-start race).
    Object.assign(settings, emulator.envFor("appservice"))
    assertLoopback(settings)
    const later = await invoke(handler)
    expect(later.status).toBe(200)
    expect(later.jsonBody).toMatchObject({ fingerprint: FINGERPRINT, degraded: false })
    await handler.close()
  })

  it("refuses an endpoint that is not on this machine before building any credential", () => {
    expect(() =>
      makeGetSecretHandler({
        environment: {
          IDENTITY_ENDPOINT: "http://169.254.169.254/msi/token",
          IDENTITY_HEADER: "not-a-real-header",
          KEY_VAULT_URL: "https://127.0.0.1:1"
        },
        logger: { warn: () => {}, error: () => {} }
      })
    ).toThrow(/must point at the local emulator/)
  })
})

describe("circuit breaker and safe degradation", () => {
  it("serves the last known version while the endpoint fails, and stops asking it once the circuit opens", async () => {
    const handler = instance({
      retry: { maxRetries: 1, retryDelayInMs: 1, maxRetryDelayInMs: 1 },
      circuitBreaker: { failureThreshold: 2, cooldownMs: 60_000 }
    })
    const first = await invoke(handler)
    expect(first.status).toBe(200)

    // Key Vault revokes the token (CAE) while the identity endpoint is down: the client needs a new
    // token and cannot get one.
    emulator.faults.add("appservice:503")
    vault.revokeSeenTokens()
    const before = authErrors()
    const degraded = []
    for (let i = 0; i < 4; i++) degraded.push(await invoke(handler))

    for (const response of degraded) {
      expect(response.status).toBe(200)
      expect(response.headers).toMatchObject({ "x-degraded": "last-known-version" })
      expect(response.jsonBody).toMatchObject({ fingerprint: FINGERPRINT, degraded: true })
    }
    expect(authErrors() - before).toBe(4)
    // Two failed acquisitions of two attempts each opened the circuit; the last two calls failed fast.
    expect(emulator.requests.counters().appservice?.byStatus["503"]).toBe(4)
    expect(authErrors({ reason: "circuit-open" })).toBeGreaterThanOrEqual(2)
    await handler.close()
  })
})
