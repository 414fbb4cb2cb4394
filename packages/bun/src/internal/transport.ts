import type * as HttpClient from "@effect/platform/HttpClient"
import { ConnectProbe, FetchTransport } from "@managed-identity/core"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as net from "node:net"

/**
 * How the client connects.
 *
 * @internal
 */
export interface Options {
  readonly connectTimeout?: Duration.DurationInput | undefined
}

/**
 * Bun's fetch sends requests through `HTTP_PROXY` / `HTTPS_PROXY` when they are set, even to
 * 127.0.0.1; `proxy: false` connects directly. Plain-HTTP origins always connect directly: every
 * managed-identity endpoint on plain HTTP is local or link-local (IMDS, App Service, Arc, Cloud
 * Shell), while HTTPS requests (Entra, for workload identity) may legitimately need the proxy.
 *
 * @internal
 */
export const make = (options: Options = {}): Effect.Effect<HttpClient.HttpClient> =>
  Effect.suspend(() => {
    // One probe (and its set of reachable origins) per client built.
    const probe = ConnectProbe.make(net, options.connectTimeout)
    return FetchTransport.make(async (input, init) => {
      const url = FetchTransport.urlOf(input)
      await probe(url, init?.signal)
      return globalThis.fetch(
        input,
        url.protocol === "http:" ? ({ ...init, proxy: false } as globalThis.RequestInit) : init
      )
    })
  })
