import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import * as connectProbe from "./connectProbe.js"
import { type DenoHttpClient, deno } from "./runtime.js"

/**
 * The platform's fetch-based client, before our `fetch` and `RequestInit` are attached.
 *
 * @internal
 */
export const fetchClient: Effect.Effect<HttpClient.HttpClient> = Effect.provide(
  HttpClient.HttpClient,
  FetchHttpClient.layer
)

const hostnameOf = (url: URL): string => url.hostname.replace(/^\[(.*)\]$/, "$1")

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
 * Deno's fetch sends every request through `HTTP_PROXY` / `HTTPS_PROXY` when they are set, even to
 * 127.0.0.1, and has no "no proxy" switch. A client whose transport is a plain TCP connection to
 * the request's own host is the one way around it. Only plain-HTTP origins get one: every
 * managed-identity endpoint on plain HTTP is local or link-local (IMDS, App Service, Arc, Cloud
 * Shell), while HTTPS requests (Entra, for workload identity) may legitimately need the proxy, and
 * a TCP transport would not speak TLS.
 *
 * @internal
 */
export const make = (options: Options = {}): Effect.Effect<HttpClient.HttpClient, never, Scope.Scope> =>
  Effect.gen(function* () {
    const base = yield* fetchClient
    const runtime = deno()
    const probe = connectProbe.make(Duration.toMillis(options.connectTimeout ?? defaultConnectTimeout))
    const direct = new Map<string, DenoHttpClient>()
    yield* Effect.addFinalizer(() =>
      Effect.sync(() => {
        for (const client of direct.values()) {
          try {
            client.close()
          } catch {
            // already closed
          }
        }
        direct.clear()
      })
    )
    const clientFor = (url: URL): DenoHttpClient | undefined => {
      if (url.protocol !== "http:" || runtime?.createHttpClient === undefined) return undefined
      let client = direct.get(url.host)
      if (client === undefined) {
        client = runtime.createHttpClient({
          proxy: { transport: "tcp", hostname: hostnameOf(url), port: Number(url.port || "80") }
        })
        direct.set(url.host, client)
      }
      return client
    }
    const fetch: typeof globalThis.fetch = async (input, init) => {
      const url = input instanceof URL ? input : new URL(input instanceof Request ? input.url : input)
      await probe(url, init?.signal)
      const client = clientFor(url)
      return globalThis.fetch(
        input,
        client === undefined ? init : ({ ...init, client } as unknown as globalThis.RequestInit)
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
