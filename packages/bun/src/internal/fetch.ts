/**
 * The `fetch` every Bun request goes through, as a plain function: the Effect transport
 * (`BunHttpTransport`) and the Promise API's first request (which loads no Effect module) share it.
 *
 * @internal
 */
import { urlOf } from "@managed-identity/core/HttpRequest"
import * as ConnectProbe from "@managed-identity/node-shared/ConnectProbe"
import type * as Duration from "effect/Duration"
import * as net from "node:net"

/**
 * Bun's fetch sends requests through `HTTP_PROXY` / `HTTPS_PROXY` when they are set, even to
 * 127.0.0.1; `proxy: false` connects directly. Plain-HTTP origins always connect directly: every
 * managed-identity endpoint on plain HTTP is local or link-local (IMDS, App Service, Arc, Cloud
 * Shell), while HTTPS requests (Entra, for workload identity) may legitimately need the proxy.
 * `fetch` has no connect timeout: a plain connect with one goes first (`ConnectProbe`), once per
 * origin.
 *
 * @internal
 */
export const make = (connectTimeout?: Duration.DurationInput | undefined): typeof globalThis.fetch => {
  const probe = ConnectProbe.make(net, connectTimeout)
  return async (input, init) => {
    const url = urlOf(input)
    await probe(url, init?.signal)
    return globalThis.fetch(
      input,
      url.protocol === "http:" ? ({ ...init, proxy: false } as globalThis.RequestInit) : init
    )
  }
}
