import { HttpTransport } from "@managed-identity/core"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { EdgeHttpTransport } from "../src/effect.js"

const recordingFetch = () => {
  const calls: Array<{ url: string; init: RequestInit | undefined }> = []
  const fetch: typeof globalThis.fetch = async (input, init) => {
    calls.push({ url: String(input), init })
    return new Response(null, { status: 302, headers: { location: "http://127.0.0.1:9/elsewhere" } })
  }
  return { calls, fetch }
}

describe("EdgeHttpTransport", () => {
  it.effect("sends through the given fetch, never following a redirect", () =>
    Effect.gen(function* () {
      const { calls, fetch } = recordingFetch()
      const transport = EdgeHttpTransport.make({ fetch })
      const answer = yield* transport.send(
        HttpTransport.get("http://127.0.0.1:8080/metadata/identity/oauth2/token", { Metadata: "true" }),
        { maxBodyBytes: 65_536 }
      )
      expect(answer.status).toBe(302)
      expect(answer.headers.location).toBe("http://127.0.0.1:9/elsewhere")
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
          Effect.flatMap(HttpTransport.HttpTransport, (transport) =>
            transport.send(HttpTransport.get("http://127.0.0.1:8080/"), { maxBodyBytes: 65_536 })
          ).pipe(
            Effect.map((answer) => answer.status),
            Effect.provide(EdgeHttpTransport.layer())
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
