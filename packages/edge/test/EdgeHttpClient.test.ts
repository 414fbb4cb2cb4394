import * as HttpClient from "@effect/platform/HttpClient"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { EdgeHttpClient } from "../src/index.js"

const recordingFetch = () => {
  const calls: Array<{ url: string; init: RequestInit | undefined }> = []
  const fetch: typeof globalThis.fetch = async (input, init) => {
    calls.push({ url: String(input), init })
    return new Response(null, { status: 302, headers: { location: "http://127.0.0.1:9/elsewhere" } })
  }
  return { calls, fetch }
}

describe("EdgeHttpClient", () => {
  it.effect("sends through the given fetch, never following a redirect", () =>
    Effect.gen(function* () {
      const { calls, fetch } = recordingFetch()
      const client = yield* EdgeHttpClient.make({ fetch })
      const response = yield* client.get("http://127.0.0.1:8080/metadata/identity/oauth2/token", {
        headers: { Metadata: "true" }
      })
      expect(response.status).toBe(302)
      expect(calls).toHaveLength(1)
      expect(calls[0]?.url).toBe("http://127.0.0.1:8080/metadata/identity/oauth2/token")
      expect(calls[0]?.init?.redirect).toBe("manual")
    })
  )

  it.effect("looks the global fetch up on every request, not at import", () =>
    Effect.gen(function* () {
      const original = globalThis.fetch
      const { calls, fetch } = recordingFetch()
      const status = yield* Effect.acquireUseRelease(
        Effect.sync(() => {
          globalThis.fetch = fetch
        }),
        () =>
          Effect.flatMap(HttpClient.HttpClient, (client) => client.get("http://127.0.0.1:8080/")).pipe(
            Effect.map((response) => response.status),
            Effect.provide(EdgeHttpClient.layer())
          ),
        () =>
          Effect.sync(() => {
            globalThis.fetch = original
          })
      )
      expect(status).toBe(302)
      expect(calls.map((call) => call.init?.redirect)).toEqual(["manual"])
    })
  )
})
