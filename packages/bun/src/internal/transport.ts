import * as FetchTransport from "@managed-identity/core/FetchTransport"
import type * as HttpTransport from "@managed-identity/core/HttpTransport"
import * as ConnectProbe from "@managed-identity/node-shared/ConnectProbe"
import type * as Duration from "effect/Duration"
import * as net from "node:net"

/**
 * How the transport connects.
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
 * A background refresh (`HttpTransport.background`) cannot be kept from holding the process here:
 * Bun's `fetch` has no `unref`, so a refresh whose endpoint never answers holds an otherwise idle
 * process until its attempt times out (its retry waits, on unref'd timers, do not). An abandoned
 * call is another matter: interrupting the send aborts its `fetch`.
 *
 * @internal
 */
export const make = (options: Options = {}): HttpTransport.Service => {
  // One probe (and its set of reachable origins) per transport built.
  const probe = ConnectProbe.make(net, options.connectTimeout)
  return FetchTransport.make(async (input, init) => {
    const url = FetchTransport.urlOf(input)
    await probe(url, init?.signal)
    return globalThis.fetch(
      input,
      url.protocol === "http:" ? ({ ...init, proxy: false } as globalThis.RequestInit) : init
    )
  })
}
