/**
 * What the Node credential gives core's Promise API: `process.env` (or the `environment` setting),
 * a plain `node:http` send for the first request, `existsSync` to look for an agent, and the engine
 * by dynamic import. Nothing here loads an Effect module.
 *
 * @internal
 */
import type * as TokenCredential from "@managed-identity/core/TokenCredential"
import * as NodeConnection from "@managed-identity/node-shared/NodeConnection"
import * as NodeStyleTransport from "@managed-identity/node-shared/NodeStyleTransport"
import { existsSync } from "node:fs"
import * as Http from "node:http"
import type * as Https from "node:https"
import type { Settings } from "../ManagedIdentityCredential.js"
import { platform } from "./platform.js"

// The Effect API's `connectTimeout` takes any `Duration.DurationInput`; decoding one needs Effect,
// so a number (milliseconds) is read here and anything else goes to the engine with the request.
const connectTimeoutMs = (input: Settings["connectTimeout"]): number | "engine" =>
  input === undefined ? NodeConnection.defaultConnectTimeoutMs : typeof input === "number" ? input : "engine"

// One keep-alive pool per process for first requests; a free socket in it never holds the process.
let httpAgent: Http.Agent | undefined
const sharedHttpAgent = (): Http.Agent => {
  if (httpAgent === undefined) httpAgent = new Http.Agent({ keepAlive: true })
  return httpAgent
}
let httpsAgent: Promise<{ readonly https: typeof Https; readonly agent: Https.Agent }> | undefined

const plainSend = (timeoutMs: number): TokenCredential.PlainSend => {
  const http = NodeStyleTransport.plainSend({
    request: (url, init) => Http.request(url, { ...init, agent: sharedHttpAgent() }),
    connectTimeoutMs: timeoutMs
  })
  let secure: TokenCredential.PlainSend | undefined
  return (request, options) => {
    if (!/^https:/i.test(request.url)) return http(request, options)
    if (secure !== undefined) return secure(request, options)
    // `node:https` and `node:tls` load on the first TLS request, never at import.
    httpsAgent ??= import("node:https").then((https) => ({ https, agent: new https.Agent({ keepAlive: true }) }))
    return httpsAgent.then(({ https, agent }) => {
      secure ??= NodeStyleTransport.plainSend({
        request: (url, init) => https.request(url, { ...init, agent }),
        connectTimeoutMs: timeoutMs
      })
      return secure(request, options)
    })
  }
}

/** @internal */
export const runtime: TokenCredential.Runtime<Settings> = {
  name: "node",
  environment: (config) => ({ variables: config.environment ?? process.env, platform: platform() }),
  send: (config) => {
    const timeoutMs = connectTimeoutMs(config.connectTimeout)
    return timeoutMs === "engine" ? undefined : plainSend(timeoutMs)
  },
  exists: existsSync,
  engine: (config, variables) => import("./engine.js").then((engine) => engine.make(config, variables))
}
