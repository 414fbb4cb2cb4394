/**
 * The `fetch` every Deno request goes through, as a plain function: the Effect transport
 * (`DenoHttpTransport`) and the Promise API's first request (which loads no Effect module) share it.
 *
 * @internal
 */
import { urlOf } from "@managed-identity/core/HttpRequest"
import * as ConnectProbe from "@managed-identity/node-shared/ConnectProbe"
import type * as Duration from "effect/Duration"
import * as net from "node:net"
import { type DenoHttpClient, deno } from "./runtime.js"

const hostnameOf = (url: URL): string => url.hostname.replace(/^\[(.*)\]$/, "$1")

/**
 * Deno's fetch sends every request through `HTTP_PROXY` / `HTTPS_PROXY` when they are set, even to
 * 127.0.0.1, and has no "no proxy" switch. A client whose transport is a plain TCP connection to
 * the request's own host is the one way around it. Only plain-HTTP origins get one: every
 * managed-identity endpoint on plain HTTP is local or link-local (IMDS, App Service, Arc, Cloud
 * Shell), while HTTPS requests (Entra, for workload identity) may legitimately need the proxy, and
 * a TCP transport would not speak TLS. `fetch` has no connect timeout either: a plain connect with
 * one goes first (`ConnectProbe`). `close` closes the direct clients.
 *
 * @internal
 */
export const make = (
  connectTimeout?: Duration.DurationInput | undefined
): { readonly fetch: typeof globalThis.fetch; readonly close: () => void } => {
  const runtime = deno()
  const probe = ConnectProbe.make(net, connectTimeout)
  const direct = new Map<string, DenoHttpClient>()
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
  return {
    fetch: async (input, init) => {
      const url = urlOf(input)
      await probe(url, init?.signal)
      const client = clientFor(url)
      return globalThis.fetch(
        input,
        client === undefined ? init : ({ ...init, client } as unknown as globalThis.RequestInit)
      )
    },
    close: () => {
      for (const client of direct.values()) {
        try {
          client.close()
        } catch {
          // already closed
        }
      }
      direct.clear()
    }
  }
}
