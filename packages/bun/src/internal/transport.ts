import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as connectProbe from "./connectProbe.js"

/**
 * The platform's fetch-based client, before our `fetch` and `RequestInit` are attached.
 *
 * @internal
 */
export const fetchClient: Effect.Effect<HttpClient.HttpClient> = Effect.provide(
  HttpClient.HttpClient,
  FetchHttpClient.layer
)

/**
 * How the client connects.
 *
 * @internal
 */
export interface Options {
  readonly connectTimeout?: Duration.DurationInput | undefined
}

/** @internal */
export const defaultConnectTimeout: Duration.Duration = Duration.seconds(1)

/**
 * Bun's fetch sends requests through `HTTP_PROXY` / `HTTPS_PROXY` when they are set, even to
 * 127.0.0.1; `proxy: false` connects directly. Plain-HTTP origins always connect directly: every
 * managed-identity endpoint on plain HTTP is local or link-local (IMDS, App Service, Arc, Cloud
 * Shell), while HTTPS requests (Entra, for workload identity) may legitimately need the proxy.
 *
 * @internal
 */
export const make = (options: Options = {}): Effect.Effect<HttpClient.HttpClient> =>
  Effect.map(fetchClient, (base) => {
    const probe = connectProbe.make(Duration.toMillis(options.connectTimeout ?? defaultConnectTimeout))
    const fetch: typeof globalThis.fetch = async (input, init) => {
      const url = input instanceof URL ? input : new URL(input instanceof Request ? input.url : input)
      await probe(url, init?.signal)
      return globalThis.fetch(
        input,
        url.protocol === "http:" ? ({ ...init, proxy: false } as globalThis.RequestInit) : init
      )
    }
    // Never follow a redirect: a token request answered with one is classified, not chased.
    const init: globalThis.RequestInit = { redirect: "manual" }
    // Ours are added to the caller's context, so a `FetchHttpClient.Fetch` provided elsewhere in the
    // program cannot replace the no-proxy, no-redirect transport.
    return HttpClient.transformResponse(base, (effect) =>
      effect.pipe(
        Effect.provideService(FetchHttpClient.Fetch, fetch),
        Effect.provideService(FetchHttpClient.RequestInit, init)
      )
    )
  })
