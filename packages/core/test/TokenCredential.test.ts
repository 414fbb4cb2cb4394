import { describe, expect, it } from "@effect/vitest"
import { vi } from "vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import {
  CredentialEngine,
  Environment,
  FetchTransport,
  ManagedIdentity,
  ManagedIdentityError,
  TokenCredential
} from "../src/index.js"
import { fakeHttp, noFiles, noPinning, TOKEN, tokenBody } from "./support/sourceFakes.js"

const env = { AZURE_POD_IDENTITY_AUTHORITY_HOST: "http://127.0.0.1:8079" }

/**
 * The runtime an adapter gives, over the in-memory fetch of `fakeHttp`: the first request goes
 * through the plain fetch transport, the engine through the same fetch as an HttpTransport.
 * `engines` counts how often the engine was loaded.
 */
const runtimeFor = (http: ReturnType<typeof fakeHttp>, variables: Record<string, string> = env) => {
  const engines = { loaded: 0 }
  const runtime: TokenCredential.Runtime = {
    name: "test",
    environment: () => ({ variables, platform: "posix" }),
    send: () => TokenCredential.fetchSend(http.fetch),
    exists: () => false,
    engine: (config) => {
      engines.loaded++
      return Promise.resolve(
        CredentialEngine.make(
          ManagedIdentity.layer(config).pipe(
            Layer.provide(Layer.mergeAll(http.layer, Environment.layer(variables), noFiles, noPinning))
          )
        )
      )
    }
  }
  return { runtime, engines }
}

const credentialWith = (
  http: ReturnType<typeof fakeHttp>,
  options: TokenCredential.ManagedIdentityCredentialOptions = {},
  runtime = runtimeFor(http).runtime
) =>
  new TokenCredential.ManagedIdentityTokenCredential(
    {
      sharedTokenCache: false,
      ...options,
      managedIdentity: { endpointGuard: ManagedIdentity.allowLoopbackOnly, ...options.managedIdentity }
    },
    runtime
  )

describe("TokenCredential", () => {
  it("resolves to the @azure/core-auth AccessToken shape and serves hits from the cache", async () => {
    const http = fakeHttp([{ body: tokenBody() }])
    const credential = credentialWith(http)
    const first = await credential.getToken("https://management.azure.com/.default")
    expect(first.token).toBe(TOKEN)
    expect(first.tokenType).toBe("Bearer")
    expect(first.expiresOnTimestamp).toBeGreaterThan(Date.now())
    expect(first.refreshAfterTimestamp).toBeLessThan(first.expiresOnTimestamp)
    const second = await credential.getToken(["https://management.azure.com/.default"])
    expect(second).toBe(first)
    expect(http.recorded).toHaveLength(1)
    await credential.close()
  })

  it("maps errors to the classes @azure/identity users know, with the core error as cause", async () => {
    const refused = Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" })
    const unavailable = credentialWith(fakeHttp([{ fail: refused }]))
    const e1 = await unavailable.getToken("https://management.azure.com/.default").catch((e) => e)
    expect(e1).toBeInstanceOf(TokenCredential.CredentialUnavailableError)
    expect(e1.name).toBe("CredentialUnavailableError")
    expect(e1.cause).toBeInstanceOf(ManagedIdentityError.Unavailable)

    const rejected = credentialWith(
      fakeHttp([{ status: 400, body: JSON.stringify({ error: "invalid_resource", error_description: "no such app" }) }])
    )
    const e2 = await rejected.getToken("https://nothing.example/.default").catch((e) => e)
    expect(e2).toBeInstanceOf(TokenCredential.AuthenticationError)
    expect(e2.statusCode).toBe(400)
    expect(e2.errorResponse.error).toBe("invalid_resource")
    expect(e2.message).toContain("no such app")

    const e3 = await rejected.getToken(["https://a/.default", "https://b/.default"]).catch((e) => e)
    expect(e3).toBeInstanceOf(TokenCredential.InvalidArgumentError)
    await Promise.all([unavailable.close(), rejected.close()])
  })

  it("recognises its errors thrown by another copy of the classes (a pre-bundled adapter entry)", () => {
    // Another copy of core (e.g. inside @managed-identity/node/ManagedIdentityCredential) defines
    // its own classes with the same brands: instanceof must hold across the copies.
    const copyOf = (key: string) => {
      class Copy extends Error {}
      Object.defineProperty(Copy.prototype, Symbol.for(`@managed-identity/core/TokenCredential/${key}`), {
        value: true
      })
      return new Copy("from another copy")
    }
    expect(copyOf("CredentialUnavailableError")).toBeInstanceOf(TokenCredential.CredentialUnavailableError)
    expect(copyOf("AuthenticationError")).toBeInstanceOf(TokenCredential.AuthenticationError)
    expect(copyOf("InvalidArgumentError")).toBeInstanceOf(TokenCredential.InvalidArgumentError)
    expect(copyOf("AbortError")).toBeInstanceOf(TokenCredential.AbortError)
    expect(copyOf("AbortError")).not.toBeInstanceOf(TokenCredential.CredentialUnavailableError)
    expect(new Error("plain")).not.toBeInstanceOf(TokenCredential.AuthenticationError)
    expect(null).not.toBeInstanceOf(TokenCredential.AbortError)

    // A subclass keeps ordinary instanceof: a base-class error is not an instance of it.
    class Specific extends TokenCredential.CredentialUnavailableError {}
    expect(new Specific("x")).toBeInstanceOf(Specific)
    expect(new Specific("x")).toBeInstanceOf(TokenCredential.CredentialUnavailableError)
    expect(new TokenCredential.CredentialUnavailableError("x")).not.toBeInstanceOf(Specific)
    expect(new TokenCredential.InvalidArgumentError("x")).toBeInstanceOf(TypeError)
  })

  it("throws a typed error at construction for conflicting ids, as @azure/identity does", () => {
    expect(() => credentialWith(fakeHttp([]), { clientId: "a", resourceId: "/subscriptions/x" })).toThrow(
      TokenCredential.InvalidArgumentError
    )
  })

  it("accepts the (clientId, options) constructor form", async () => {
    const http = fakeHttp([{ body: tokenBody() }])
    const options = TokenCredential.normalizeArguments("11111111-2222-3333-4444-555555555555", {
      retry: { maxRetries: 1 }
    })
    const credential = credentialWith(http, options)
    await credential.getToken("https://vault.azure.net/.default")
    expect(http.recorded[0]!.url.searchParams.get("client_id")).toBe("11111111-2222-3333-4444-555555555555")
    await credential.close()
  })

  it("an abort signal wins against an endpoint that never answers", async () => {
    const never = fakeHttp(() => ({ body: new ReadableStream<Uint8Array>({ start() {} }) }))
    const credential = credentialWith(never)
    const controller = new AbortController()
    const pending = credential.getToken("https://management.azure.com/.default", { abortSignal: controller.signal })
    await new Promise((resolve) => setImmediate(resolve))
    controller.abort()
    const error = await pending.catch((e) => e)
    expect(error).toBeInstanceOf(TokenCredential.AbortError)
    expect(error.name).toBe("AbortError")
    const already = await credential
      .getToken("https://management.azure.com/.default", { abortSignal: AbortSignal.abort() })
      .catch((e) => e)
    expect(already.name).toBe("AbortError")
    await credential.close()
  })

  it("maps @azure/identity retry options onto the policy", () => {
    const config = TokenCredential.toConfig({
      retryOptions: { maxRetries: 2, retryDelayInMs: 100, maxRetryDelayInMs: 1000 }
    })
    expect(config._tag).toBe("Right")
    if (config._tag === "Right") expect(config.right.retry).toEqual({ maxRetries: 2, delta: 100, maxDelay: 1000 })
  })
})

describe("TokenCredential: the first request, and one client per configuration", () => {
  const SCOPE = "https://management.azure.com/.default"
  // Credentials built the way a function handler builds them: same options object shape each time.
  const shared = (runtime: TokenCredential.Runtime, options: TokenCredential.ManagedIdentityCredentialOptions = {}) =>
    new TokenCredential.ManagedIdentityTokenCredential(
      { ...options, managedIdentity: { endpointGuard: ManagedIdentity.allowLoopbackOnly, ...options.managedIdentity } },
      runtime
    )

  it("gets the first token over the plain transport without loading the engine", async () => {
    const http = fakeHttp([{ body: tokenBody() }])
    const { runtime, engines } = runtimeFor(http, { AZURE_POD_IDENTITY_AUTHORITY_HOST: "http://127.0.0.1:8071" })
    const credential = shared(runtime)
    expect((await credential.getToken(SCOPE)).token).toBe(TOKEN)
    expect(http.recorded).toHaveLength(1)
    expect(http.recorded[0]!.url.searchParams.get("api-version")).toBe("2018-02-01")
    expect(http.recorded[0]!.headers.metadata).toBe("true")
    expect(engines.loaded).toBe(0)
    await credential.close()
  })

  it("a credential per call: fifty in a row make one request, and a warm call on a fresh one needs no promise chain", async () => {
    const http = fakeHttp([{ body: tokenBody() }])
    const { runtime, engines } = runtimeFor(http, { AZURE_POD_IDENTITY_AUTHORITY_HOST: "http://127.0.0.1:8072" })
    const credentials = []
    for (let i = 0; i < 50; i++) {
      const credential = shared(runtime)
      credentials.push(credential)
      expect((await credential.getToken(SCOPE)).token).toBe(TOKEN)
    }
    expect(http.recorded).toHaveLength(1)
    expect(engines.loaded).toBe(0)
    await Promise.all(credentials.map((c) => c.close()))
  })

  it("two hundred concurrent fresh credentials make one request between them", async () => {
    const http = fakeHttp([{ body: tokenBody() }])
    const { runtime } = runtimeFor(http, { AZURE_POD_IDENTITY_AUTHORITY_HOST: "http://127.0.0.1:8073" })
    const credentials = Array.from({ length: 200 }, () => shared(runtime))
    const tokens = await Promise.all(credentials.map((c) => c.getToken(SCOPE)))
    expect(new Set(tokens.map((t) => t.token))).toEqual(new Set([TOKEN]))
    expect(http.recorded).toHaveLength(1)
    await Promise.all(credentials.map((c) => c.close()))
  })

  it("never shares across identities, even concurrently: each identity gets its own token", async () => {
    const http = fakeHttp((request) => ({
      body: tokenBody({ access_token: `token-for-${request.url.searchParams.get("client_id") ?? "system"}` })
    }))
    const { runtime } = runtimeFor(http, { AZURE_POD_IDENTITY_AUTHORITY_HOST: "http://127.0.0.1:8074" })
    const ids = ["11111111-0000-0000-0000-000000000001", "22222222-0000-0000-0000-000000000002"]
    const calls = Array.from({ length: 60 }, (_, i) => {
      const clientId = ids[i % 2]!
      return shared(runtime, { clientId })
        .getToken(SCOPE)
        .then((token) => [clientId, token.token] as const)
    })
    for (const [clientId, token] of await Promise.all(calls)) expect(token).toBe(`token-for-${clientId}`)
    expect(http.recorded).toHaveLength(2)
  })

  it("never shares across endpoints or secrets: other variables, another client", async () => {
    const http = fakeHttp((request) => ({ body: tokenBody({ access_token: `token-from-${request.url.port}` }) }))
    const a = runtimeFor(http, { AZURE_POD_IDENTITY_AUTHORITY_HOST: "http://127.0.0.1:8075" }).runtime
    const b = runtimeFor(http, { AZURE_POD_IDENTITY_AUTHORITY_HOST: "http://127.0.0.1:8076" }).runtime
    expect((await shared(a).getToken(SCOPE)).token).toBe("token-from-8075")
    expect((await shared(b).getToken(SCOPE)).token).toBe("token-from-8076")
    expect(http.recorded).toHaveLength(2)
  })

  it("close() on one credential leaves the others working; sharedTokenCache: false keeps a credential apart", async () => {
    const http = fakeHttp(() => ({ body: tokenBody() }))
    const { runtime } = runtimeFor(http, { AZURE_POD_IDENTITY_AUTHORITY_HOST: "http://127.0.0.1:8077" })
    const one = shared(runtime)
    const two = shared(runtime)
    await one.getToken(SCOPE)
    await one.close()
    expect((await two.getToken(SCOPE)).token).toBe(TOKEN)
    expect(http.recorded).toHaveLength(1)
    const apart = shared(runtime, { sharedTokenCache: false })
    await apart.getToken(SCOPE)
    expect(http.recorded).toHaveLength(2)
    await Promise.all([two.close(), apart.close()])
  })

  it("retries a retryable failure itself, under the source's policy, without loading the engine", async () => {
    const http = fakeHttp([{ status: 503 }, { status: 500 }, { body: tokenBody() }])
    const { runtime, engines } = runtimeFor(http, { AZURE_POD_IDENTITY_AUTHORITY_HOST: "http://127.0.0.1:8078" })
    const credential = shared(runtime, { retryOptions: { retryDelayInMs: 1, maxRetries: 2 } })
    expect((await credential.getToken(SCOPE)).token).toBe(TOKEN)
    expect(http.recorded).toHaveLength(3)
    expect(engines.loaded).toBe(0)
    await credential.close()
  })

  it("gives up when the policy does: the last error, every attempt counted", async () => {
    const http = fakeHttp([{ status: 503 }, { status: 503 }, { status: 503 }])
    const { runtime } = runtimeFor(http, { AZURE_POD_IDENTITY_AUTHORITY_HOST: "http://127.0.0.1:8084" })
    const credential = shared(runtime, { retryOptions: { retryDelayInMs: 1, maxRetries: 2 } })
    const error = await credential.getToken(SCOPE).catch((e) => e)
    expect(error).toBeInstanceOf(TokenCredential.AuthenticationError)
    expect(error.cause._tag).toBe("Transient")
    expect(error.cause.attempts).toBe(3)
    expect(http.recorded).toHaveLength(3)
    await credential.close()
  })

  // A clock the test moves: the client reads the time only through the runtime's `now`.
  const clocked = (runtime: TokenCredential.Runtime) => {
    const clock = { now: Date.now() }
    return { clock, runtime: { ...runtime, now: () => clock.now } }
  }
  // One hour to live: due for refresh five minutes before it expires.
  const DUE = 56 * 60_000

  it("refreshes a token that is due in the background, answering with the held one meanwhile", async () => {
    const fresh =
      "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJodHRwczovL21hbmFnZW1lbnQuYXp1cmUuY29tLyIsIm4iOjJ9.c2lnbmF0dXJl"
    const http = fakeHttp([{ body: tokenBody() }, { body: tokenBody({ access_token: fresh }) }])
    const { clock, runtime } = clocked(
      runtimeFor(http, { AZURE_POD_IDENTITY_AUTHORITY_HOST: "http://127.0.0.1:8085" }).runtime
    )
    const credential = shared(runtime)
    expect((await credential.getToken(SCOPE)).token).toBe(TOKEN)
    // Not yet due: from the cache.
    clock.now += DUE - 120_000
    expect((await credential.getToken(SCOPE)).token).toBe(TOKEN)
    expect(http.recorded).toHaveLength(1)
    // Due: the held token answers at once, and one refresh starts, however many callers ask.
    clock.now += 120_000
    expect((await credential.getToken(SCOPE)).token).toBe(TOKEN)
    expect((await credential.getToken(SCOPE)).token).toBe(TOKEN)
    await vi.waitFor(async () => expect((await credential.getToken(SCOPE)).token).toBe(fresh))
    expect(http.recorded).toHaveLength(2)
    await credential.close()
  })

  it("a failed background refresh keeps the held token, and the next try waits the retry interval", async () => {
    const http = fakeHttp([{ body: tokenBody() }, { status: 400, body: "{}" }, { body: tokenBody() }])
    const { clock, runtime } = clocked(
      runtimeFor(http, { AZURE_POD_IDENTITY_AUTHORITY_HOST: "http://127.0.0.1:8086" }).runtime
    )
    const credential = shared(runtime)
    await credential.getToken(SCOPE)
    clock.now += DUE
    expect((await credential.getToken(SCOPE)).token).toBe(TOKEN)
    expect(http.recorded).toHaveLength(2)
    // Let the refresh's promise chain run to its end (the fake answers at once: no timer involved),
    // so its failure is recorded at this clock reading.
    await new Promise((resolve) => setImmediate(resolve))
    await new Promise((resolve) => setImmediate(resolve))
    expect((await credential.getToken(SCOPE)).token).toBe(TOKEN)
    expect(http.recorded).toHaveLength(2)
    // The refresh failed: the held token still answers. 30 s later (the retry interval), a call
    // starts the next refresh. (That none starts sooner is refreshAhead.refreshDue's rule, which
    // TokenCache.test.ts walks through on the TestClock.)
    clock.now += 30_000
    await vi.waitFor(async () => {
      expect((await credential.getToken(SCOPE)).token).toBe(TOKEN)
      expect(http.recorded).toHaveLength(3)
    })
    await credential.close()
  })

  it("a claims challenge skips the cache, sends the claims, and its token replaces the held one", async () => {
    const fresh =
      "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJodHRwczovL21hbmFnZW1lbnQuYXp1cmUuY29tLyIsIm4iOjN9.c2lnbmF0dXJl"
    const http = fakeHttp([{ body: tokenBody() }, { body: tokenBody({ access_token: fresh }) }])
    const env = { IDENTITY_ENDPOINT: "http://127.0.0.1:8087/msi/token", IDENTITY_HEADER: "secret" }
    const { runtime } = runtimeFor(http, env)
    const credential = shared(runtime)
    await credential.getToken(SCOPE)
    const claims = Buffer.from('{"access_token":{"nbf":{"essential":true,"value":"1"}}}').toString("base64")
    expect((await credential.getToken(SCOPE, { claims })).token).toBe(fresh)
    expect(http.recorded).toHaveLength(2)
    expect((await credential.getToken(SCOPE)).token).toBe(fresh)
    expect(http.recorded).toHaveLength(2)
    await credential.close()
  })

  it("opens the circuit after consecutive failures, failing fast without a request", async () => {
    const refused = Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" })
    const http = fakeHttp(() => ({ fail: refused }))
    const { runtime } = runtimeFor(http, { AZURE_POD_IDENTITY_AUTHORITY_HOST: "http://127.0.0.1:8088" })
    const credential = shared(runtime, {
      retryOptions: { maxRetries: 0 },
      managedIdentity: { circuitBreaker: { failureThreshold: 2, cooldown: "1 minute" } }
    })
    for (let i = 0; i < 2; i++) await credential.getToken(SCOPE).catch(() => undefined)
    expect(http.recorded).toHaveLength(2)
    const error = await credential.getToken(SCOPE).catch((e) => e)
    expect(error).toBeInstanceOf(TokenCredential.CredentialUnavailableError)
    expect(error.cause.reason).toBe("circuit-open")
    expect(http.recorded).toHaveLength(2)
    await credential.close()
  })

  it("holds at most cache.maxEntries resources, evicting the oldest", async () => {
    const http = fakeHttp(() => ({ body: tokenBody() }))
    const { runtime } = runtimeFor(http, { AZURE_POD_IDENTITY_AUTHORITY_HOST: "http://127.0.0.1:8089" })
    const credential = shared(runtime, { managedIdentity: { cache: { maxEntries: 2 } } })
    await credential.getToken("https://a.example/.default")
    await credential.getToken("https://b.example/.default")
    await credential.getToken("https://c.example/.default") // evicts a
    expect(http.recorded).toHaveLength(3)
    await credential.getToken("https://c.example/.default")
    await credential.getToken("https://b.example/.default")
    expect(http.recorded).toHaveLength(3)
    await credential.getToken("https://a.example/.default")
    expect(http.recorded).toHaveLength(4)
    await credential.close()
  })

  it("sends sources that read a file, and Effect-valued settings, to the engine", async () => {
    const http = fakeHttp(() => ({ body: tokenBody() }))
    const { runtime, engines } = runtimeFor(http, { AZURE_POD_IDENTITY_AUTHORITY_HOST: "http://127.0.0.1:8090" })
    const credential = shared(runtime, { managedIdentity: { onRetry: () => Effect.void } })
    expect((await credential.getToken(SCOPE)).token).toBe(TOKEN)
    expect(engines.loaded).toBe(1)
    await credential.close()
    // Effect telemetry asked for: every source on the engine, whose metrics the program can read.
    const telemetry = shared(runtime, { effectTelemetry: true })
    expect((await telemetry.getToken("https://vault.azure.net/.default")).token).toBe(TOKEN)
    expect(engines.loaded).toBe(2)
    await telemetry.close()
    const none = shared({ ...runtime, engine: undefined }, { managedIdentity: { onRetry: () => Effect.void } })
    const error = await none.getToken(SCOPE).catch((e) => e)
    expect(error).toBeInstanceOf(TokenCredential.InvalidArgumentError)
    expect(error.message).toContain("no Effect engine")
    await none.close()
  })

  it("a final first failure is the error, without loading the engine", async () => {
    const http = fakeHttp([
      { status: 400, body: JSON.stringify({ error: "invalid_resource", error_description: "nope" }) }
    ])
    const { runtime, engines } = runtimeFor(http, { AZURE_POD_IDENTITY_AUTHORITY_HOST: "http://127.0.0.1:8079" })
    const error = await shared(runtime)
      .getToken("https://nothing.example/.default")
      .catch((e) => e)
    expect(error).toBeInstanceOf(TokenCredential.AuthenticationError)
    expect(error.cause).toBeInstanceOf(ManagedIdentityError.Rejected)
    expect(engines.loaded).toBe(0)
  })

  it("an abort cancels the first request only when every caller waiting on it has left", async () => {
    let aborted = 0
    const http = fakeHttp(() => ({ body: tokenBody() }))
    const slow: typeof globalThis.fetch = (input, init) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => resolve(http.fetch(input, init)), 50)
        init?.signal?.addEventListener("abort", () => {
          aborted++
          clearTimeout(timer)
          reject(new DOMException("aborted", "AbortError"))
        })
      })
    const runtime: TokenCredential.Runtime = {
      ...runtimeFor(http, { AZURE_POD_IDENTITY_AUTHORITY_HOST: "http://127.0.0.1:8080" }).runtime,
      send: () => TokenCredential.fetchSend(slow)
    }
    const leaving = new AbortController()
    const first = shared(runtime).getToken(SCOPE, { abortSignal: leaving.signal })
    const second = shared(runtime).getToken(SCOPE)
    leaving.abort()
    expect(await first.catch((e) => e.name)).toBe("AbortError")
    expect((await second).token).toBe(TOKEN)
    expect(aborted).toBe(0)
    // Alone, the abort cancels the request.
    const other = { AZURE_POD_IDENTITY_AUTHORITY_HOST: "http://127.0.0.1:8081" }
    const alone = new AbortController()
    const lone = shared({ ...runtimeFor(http, other).runtime, send: () => TokenCredential.fetchSend(slow) }).getToken(
      SCOPE,
      { abortSignal: alone.signal }
    )
    alone.abort()
    expect(await lone.catch((e) => e.name)).toBe("AbortError")
    expect(aborted).toBe(1)
  })

  it("a caller's requestOptions.timeout is an AuthenticationError naming the deadline", async () => {
    const never: typeof globalThis.fetch = (_, init) =>
      new Promise((_, reject) => init?.signal?.addEventListener("abort", () => reject(new Error("aborted"))))
    const http = fakeHttp([])
    const runtime: TokenCredential.Runtime = {
      ...runtimeFor(http, { AZURE_POD_IDENTITY_AUTHORITY_HOST: "http://127.0.0.1:8082" }).runtime,
      send: () => TokenCredential.fetchSend(never)
    }
    const error = await shared(runtime)
      .getToken(SCOPE, { requestOptions: { timeout: 30 } })
      .catch((e) => e)
    expect(error).toBeInstanceOf(TokenCredential.AuthenticationError)
    expect(error.message).toContain("deadline of 30ms")
    expect(error.cause).toMatchObject({ _tag: "Transient", reason: "timeout", source: "IMDS" })

    // On the engine the deadline is the engine's own `timeout`: the same error, from the source it runs.
    const variables = { IDENTITY_ENDPOINT: "http://127.0.0.1:8091/msi/token", IDENTITY_HEADER: "h" }
    const onEngine: TokenCredential.Runtime = {
      ...runtimeFor(http, variables).runtime,
      engine: (config) =>
        Promise.resolve(
          CredentialEngine.make(
            ManagedIdentity.layer(config).pipe(
              Layer.provide(
                Layer.mergeAll(FetchTransport.layer(never), Environment.layer(variables), noFiles, noPinning)
              )
            )
          )
        )
    }
    const viaEngine = await shared(onEngine, { effectTelemetry: true })
      .getToken(SCOPE, { requestOptions: { timeout: 30 } })
      .catch((e) => e)
    expect(viaEngine).toBeInstanceOf(TokenCredential.AuthenticationError)
    expect(viaEngine.message).toContain("deadline of 30ms")
    expect(viaEngine.cause).toMatchObject({ _tag: "Transient", reason: "timeout", source: "AppService" })
  })

  it("refuses what the engine would refuse, before any request (the endpoint guard)", async () => {
    const http = fakeHttp([{ body: tokenBody() }])
    const { runtime } = runtimeFor(http, {})
    const error = await shared(runtime)
      .getToken(SCOPE)
      .catch((e) => e)
    expect(error).toBeInstanceOf(TokenCredential.InvalidArgumentError)
    expect(error.message).toContain("not allowed by the endpoint guard")
    expect(http.recorded).toHaveLength(0)
  })

  it("shares by the managed-identity variables only: another unrelated variable is the same client", async () => {
    const http = fakeHttp([{ body: tokenBody() }, { body: tokenBody() }])
    const endpoint = { AZURE_POD_IDENTITY_AUTHORITY_HOST: "http://127.0.0.1:8083" }
    const a = runtimeFor(http, { ...endpoint, HOME: "/home/a", PATH: "/bin" }).runtime
    const b = runtimeFor(http, { ...endpoint, HOME: "/home/b", LANG: "C" }).runtime
    await shared(a).getToken(SCOPE)
    await shared(b).getToken(SCOPE)
    expect(http.recorded).toHaveLength(1)
    // An empty managed-identity variable counts as unset, as the engine reads it.
    const c = runtimeFor(http, { ...endpoint, IDENTITY_ENDPOINT: "" }).runtime
    await shared(c).getToken(SCOPE)
    expect(http.recorded).toHaveLength(1)
  })

  it("an environment the runtime may not read is every getToken's typed rejection, not a throw", async () => {
    const http = fakeHttp([{ body: tokenBody() }])
    const refusing: TokenCredential.Runtime = {
      ...runtimeFor(http).runtime,
      environment: () => {
        throw new ManagedIdentityError.InvalidArgument({
          argument: "permissions",
          message: "may not read the environment"
        })
      }
    }
    const credential = new TokenCredential.ManagedIdentityTokenCredential({}, refusing)
    for (const options of [{}, { claims: "e30=" }]) {
      const error = await credential.getToken(SCOPE, options).catch((e) => e)
      expect(error).toBeInstanceOf(TokenCredential.InvalidArgumentError)
      expect(error.message).toContain("may not read the environment")
    }
    expect(http.recorded).toHaveLength(0)
    await credential.close()
  })
})
