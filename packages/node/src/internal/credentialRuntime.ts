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
import type { Settings } from "../ManagedIdentityCredential.js"
import * as nodeHttp from "./nodeHttp.js"
import { platform } from "./platform.js"

// Node's modules by `process.getBuiltinModule`, never an ES import: see `NodePlainTransport.builtin`.
const fs = NodePlainTransport.builtin<typeof Fs>("node:fs")

// One pair of keep-alive pools per connect timeout, for the process (a free socket in them never
// holds it open).
const sends = new Map<number, TokenCredential.PlainSend>()
const plainSend = (connectTimeoutMs: number): TokenCredential.PlainSend => {
  let send = sends.get(connectTimeoutMs)
  if (send === undefined) {
    send = nodeHttp.make({ connectTimeoutMs }).send
    sends.set(connectTimeoutMs, send)
  }
  return send
}

/** @internal */
export const runtime: TokenCredential.Runtime<Settings> = {
  name: "node",
  environment: (config) => ({ variables: config.environment ?? process.env, platform: platform() }),
  send: (config) => plainSend(NodePlainTransport.connectTimeoutMs(config.connectTimeout)),
  exists: fs === undefined ? undefined : (path) => fs.existsSync(path),
  engine: (config, variables) => import("./engine.js").then((engine) => engine.make(config, variables))
}
