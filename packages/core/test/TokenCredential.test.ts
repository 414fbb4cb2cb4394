import { describe, expect, it } from "@effect/vitest"
import * as Layer from "effect/Layer"
import { Environment, ManagedIdentity, ManagedIdentityError, TokenCredential } from "../src/index.js"
import { fakeHttp, noFiles, noPinning, TOKEN, tokenBody } from "./support/sourceFakes.js"

const env = { AZURE_POD_IDENTITY_AUTHORITY_HOST: "http://127.0.0.1:8079" }

const credentialWith = (
  http: ReturnType<typeof fakeHttp>,
  options: TokenCredential.ManagedIdentityCredentialOptions = {}
) =>
  new TokenCredential.ManagedIdentityTokenCredential(
    { ...options, managedIdentity: { endpointGuard: ManagedIdentity.allowLoopbackOnly, ...options.managedIdentity } },
    (config) =>
      ManagedIdentity.layer(config).pipe(
        Layer.provide(Layer.mergeAll(http.layer, Environment.layer(env), noFiles, noPinning))
      )
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
