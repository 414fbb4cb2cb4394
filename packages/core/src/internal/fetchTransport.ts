import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import * as Effect from "effect/Effect"

const base: Effect.Effect<HttpClient.HttpClient> = Effect.provide(HttpClient.HttpClient, FetchHttpClient.layer)

// Never follow a redirect: a token request answered with one is classified, not chased.
const init: globalThis.RequestInit = { redirect: "manual" }

/** @internal */
export const make = (fetch: typeof globalThis.fetch): Effect.Effect<HttpClient.HttpClient> =>
  Effect.map(base, (client) =>
    // Ours are added to the caller's context, so a `FetchHttpClient.Fetch` provided elsewhere in the
    // program cannot replace the adapter's transport.
    HttpClient.transformResponse(client, (effect) =>
      effect.pipe(
        Effect.provideService(FetchHttpClient.Fetch, fetch),
        Effect.provideService(FetchHttpClient.RequestInit, init)
      )
    )
  )

/** @internal */
export const urlOf = (input: string | URL | globalThis.Request): URL =>
  input instanceof URL ? input : new URL(input instanceof Request ? input.url : input)
