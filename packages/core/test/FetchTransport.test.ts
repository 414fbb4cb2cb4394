/**
 * The fetch transport the Deno, Bun and edge adapters share: a fake `fetch` stands for the runtime's,
 * so nothing leaves the process.
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { FetchTransport } from "../src/index.js"

describe("FetchTransport.urlOf", () => {
  it("reads the URL of a string, a URL and a Request", () => {
    const url = "http://127.0.0.1:40342/metadata/identity/oauth2/token?resource=x"
    expect(FetchTransport.urlOf(url).href).toBe(url)
    const parsed = new URL(url)
    expect(FetchTransport.urlOf(parsed)).toBe(parsed)
    expect(FetchTransport.urlOf(new Request(url)).href).toBe(url)
  })
})

describe("FetchTransport.make", () => {
  const redirecting = () => {
    const seen: Array<{ readonly url: string; readonly redirect: globalThis.RequestInit["redirect"] }> = []
    const fetch: typeof globalThis.fetch = async (input, init) => {
      seen.push({ url: FetchTransport.urlOf(input).href, redirect: init?.redirect })
      return new Response(null, { status: 302, headers: { location: "http://127.0.0.1:1/elsewhere" } })
    }
    return { seen, fetch }
  }

  it.effect("sends through the given fetch and never follows a redirect", () =>
    Effect.gen(function* () {
      const { seen, fetch } = redirecting()
      const client = yield* FetchTransport.make(fetch)
      const response = yield* client.get("http://127.0.0.1:40342/metadata/identity/oauth2/token")
      expect(response.status).toBe(302)
      expect(seen).toEqual([{ url: "http://127.0.0.1:40342/metadata/identity/oauth2/token", redirect: "manual" }])
    })
  )

  it.effect("keeps its fetch and redirect setting when the program provides others", () =>
    Effect.gen(function* () {
      const { seen, fetch } = redirecting()
      const client = yield* FetchTransport.make(fetch)
      const other: typeof globalThis.fetch = async () => new Response("other", { status: 200 })
      const response = yield* HttpClient.get("http://127.0.0.1:40342/").pipe(
        Effect.provideService(HttpClient.HttpClient, client),
        Effect.provideService(FetchHttpClient.Fetch, other),
        Effect.provideService(FetchHttpClient.RequestInit, { redirect: "follow" })
      )
      expect(response.status).toBe(302)
      expect(seen.map((s) => s.redirect)).toEqual(["manual"])
    })
  )
})
