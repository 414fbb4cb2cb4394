import * as FetchTransport from "@managed-identity/core/FetchTransport"
import type * as HttpTransport from "@managed-identity/core/HttpTransport"
import * as ConnectProbe from "@managed-identity/node-shared/ConnectProbe"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import * as net from "node:net"
import { type DenoHttpClient, deno } from "./runtime.js"

const hostnameOf = (url: URL): string => url.hostname.replace(/^\[(.*)\]$/, "$1")

/**
 * How the client connects.
 *
 * @internal
 */
export interface Options {
  readonly connectTimeout?: Duration.DurationInput | undefined
}

/**
 * Deno's fetch sends every request through `HTTP_PROXY` / `HTTPS_PROXY` when they are set, even to
 * 127.0.0.1, and has no "no proxy" switch. A client whose transport is a plain TCP connection to
 * the request's own host is the one way around it. Only plain-HTTP origins get one: every
 * managed-identity endpoint on plain HTTP is local or link-local (IMDS, App Service, Arc, Cloud
 * Shell), while HTTPS requests (Entra, for workload identity) may legitimately need the proxy, and
 * a TCP transport would not speak TLS.
 *
 * A background refresh (`HttpTransport.background`) cannot be kept from holding the process here:
 * Deno's `fetch` has no `unref`, so a refresh whose endpoint never answers holds an otherwise idle
 * process until its attempt times out (its retry waits, on unref'd timers, do not). An abandoned
 * call is another matter: interrupting the send aborts its `fetch`.
 *
 * @internal
 */
export const make = (options: Options = {}): Effect.Effect<HttpTransport.Service, never, Scope.Scope> =>
  Effect.gen(function* () {
    const runtime = deno()
    const probe = ConnectProbe.make(net, options.connectTimeout)
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
    return FetchTransport.make(async (input, init) => {
      const url = FetchTransport.urlOf(input)
      await probe(url, init?.signal)
      const client = clientFor(url)
      return globalThis.fetch(
        input,
        client === undefined ? init : ({ ...init, client } as unknown as globalThis.RequestInit)
      )
    })
  })
