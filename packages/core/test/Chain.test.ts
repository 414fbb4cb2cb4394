import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { AccessToken, Chain, ManagedIdentityError } from "../src/index.js"

const token = (name: string) =>
  new AccessToken.AccessToken({
    token: `token-from-${name}`,
    expiresOn: Date.UTC(2030, 0, 1),
    refreshOn: Date.UTC(2029, 0, 1),
    tokenType: "Bearer",
    resource: "https://management.azure.com"
  })

const unavailable = (source: "IMDS" | "WorkloadIdentity", message: string) =>
  new ManagedIdentityError.Unavailable({ source, reason: "not-configured", message, attempts: 1, elapsedMs: 0 })

const credential = (
  outcome: () => Effect.Effect<AccessToken.AccessToken, ManagedIdentityError.ManagedIdentityError>
) => {
  const calls = { count: 0 }
  return {
    calls,
    getToken: () =>
      Effect.suspend(() => {
        calls.count++
        return outcome()
      })
  }
}

describe("Chain", () => {
  it.effect("moves on past Unavailable and remembers the credential that worked", () =>
    Effect.gen(function* () {
      const first = credential(() => Effect.fail(unavailable("WorkloadIdentity", "no federated token file")))
      const second = credential(() => Effect.succeed(token("imds")))
      const chain = Chain.make([first, second])
      expect((yield* chain.getToken("https://management.azure.com/")).token).toBe("token-from-imds")
      yield* chain.getToken("https://management.azure.com/")
      expect(first.calls.count).toBe(1)
      expect(second.calls.count).toBe(2)
    })
  )

  it.effect("stops at the first real answer: a rejection is not skipped", () =>
    Effect.gen(function* () {
      const rejected = new ManagedIdentityError.Rejected({
        source: "IMDS",
        status: 400,
        error: "invalid_resource",
        message: "IMDS rejected the request (400 invalid_resource)",
        attempts: 1,
        elapsedMs: 1
      })
      const first = credential(() => Effect.fail(rejected))
      const second = credential(() => Effect.succeed(token("other")))
      const error = yield* Effect.flip(Chain.make([first, second]).getToken("https://x.example/"))
      expect(error).toBe(rejected)
      expect(second.calls.count).toBe(0)
    })
  )

  it.effect("when every credential is unavailable, says why for each", () =>
    Effect.gen(function* () {
      const chain = Chain.make([
        credential(() =>
          Effect.fail(unavailable("WorkloadIdentity", "WorkloadIdentity: AZURE_FEDERATED_TOKEN_FILE is not set"))
        ),
        credential(() => Effect.fail(unavailable("IMDS", "IMDS: connection refused")))
      ])
      const error = yield* Effect.flip(chain.getToken("https://x.example/"))
      expect(error._tag).toBe("Unavailable")
      expect(error.message).toContain("AZURE_FEDERATED_TOKEN_FILE is not set")
      expect(error.message).toContain("IMDS: connection refused")
      expect((yield* Effect.flip(Chain.make([]).getToken("https://x.example/"))).message).toContain("empty")
    })
  )
})
