/**
 * What the Bun credential gives core's Promise API: `Bun.env` (or the `environment` setting), the
 * adapter's `fetch` for the first request, `existsSync` to look for an agent, and the engine by
 * dynamic import. Nothing here loads an Effect module.
 *
 * @internal
 */
import * as TokenCredential from "@managed-identity/core/TokenCredential"
import { existsSync } from "node:fs"
import type { Settings } from "../ManagedIdentityCredential.js"
import * as plain from "./fetch.js"
import { platform } from "./platform.js"
import { bun, notBun } from "./runtime.js"

/** @internal */
export const runtime: TokenCredential.Runtime<Settings> = {
  name: "bun",
  environment: (config) => {
    if (config.environment !== undefined) return { variables: config.environment, platform: platform() }
    const runtime = bun()
    if (runtime === undefined) throw notBun()
    return { variables: runtime.env, platform: platform() }
  },
  send: (config) => TokenCredential.fetchSend(plain.make(config.connectTimeout)),
  exists: existsSync,
  engine: (config, variables) => import("./engine.js").then((engine) => engine.make(config, variables))
}
