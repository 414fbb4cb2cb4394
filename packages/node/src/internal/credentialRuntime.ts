/**
 * What the Node credential gives core's Promise API: `process.env` (or the `environment` setting),
 * a plain `node:http` send for the first request, `existsSync` to look for an agent, and the engine
 * by dynamic import. Nothing here loads an Effect module.
 *
 * @internal
 */
import type * as TokenCredential from "@managed-identity/core/TokenCredential"
import * as NodePlainTransport from "@managed-identity/node-shared/NodePlainTransport"
import type * as Fs from "node:fs"
import type * as Http from "node:http"
import type * as Https from "node:https"
import type { Settings } from "../ManagedIdentityCredential.js"
import { platform } from "./platform.js"

// Node's modules by `process.getBuiltinModule`, never an ES import: see `NodePlainTransport.builtin`.
const fs = NodePlainTransport.builtin<typeof Fs>("node:fs")

// One keep-alive pool per scheme per process; a free socket in it never holds the process.
interface Pool {
  readonly request: typeof Http.request
  readonly agent: Http.Agent
}
let httpPool: Promise<Pool> | undefined
let httpsPool: Promise<Pool> | undefined
const poolOf = (module: typeof Http | typeof Https): Pool => ({
  request: module.request,
  agent: new module.Agent({ keepAlive: true })
})
const pool = (tls: boolean): Promise<Pool> => {
  if (tls) {
    // `node:https` and `node:tls` load on the first TLS request, never at import.
    httpsPool ??= Promise.resolve(NodePlainTransport.builtin<typeof Https>("node:https") ?? import("node:https")).then(
      poolOf
    )
    return httpsPool
  }
  httpPool ??= Promise.resolve(NodePlainTransport.builtin<typeof Http>("node:http") ?? import("node:http")).then(poolOf)
  return httpPool
}

const plainSend = (timeoutMs: number): TokenCredential.PlainSend => {
  const sends = new Map<boolean, TokenCredential.PlainSend>()
  return (request, options) => {
    const tls = /^https:/i.test(request.url)
    const send = sends.get(tls)
    if (send !== undefined) return send(request, options)
    return pool(tls).then(({ request: open, agent }) => {
      const made = NodePlainTransport.make({
        request: (url, init) => open(url, { ...init, agent }),
        connectTimeoutMs: timeoutMs
      })
      sends.set(tls, made)
      return made(request, options)
    })
  }
}

/** @internal */
export const runtime: TokenCredential.Runtime<Settings> = {
  name: "node",
  environment: (config) => ({ variables: config.environment ?? process.env, platform: platform() }),
  send: (config) => plainSend(NodePlainTransport.connectTimeoutMs(config.connectTimeout)),
  exists: fs === undefined ? undefined : (path) => fs.existsSync(path),
  engine: (config, variables) => import("./engine.js").then((engine) => engine.make(config, variables))
}
