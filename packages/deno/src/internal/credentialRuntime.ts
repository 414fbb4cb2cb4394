/**
 * What the Deno credential gives core's Promise API: `Deno.env` under its permissions (or the
 * `environment` setting), the adapter's `fetch` for the first request, `Deno.statSync` to look for
 * an agent, the permission check, and the engine by dynamic import. Nothing here loads an Effect
 * module.
 *
 * @internal
 */
import * as TokenCredential from "@managed-identity/core/TokenCredential"
import type { Settings } from "../ManagedIdentityCredential.js"
import * as environment from "./environment.js"
import * as plain from "./fetch.js"
import { denial } from "./permissions.js"
import { deno } from "./runtime.js"

/** @internal */
export const runtime: TokenCredential.Runtime<Settings> = {
  name: "deno",
  environment: (config) => {
    if (config.environment !== undefined) return { variables: config.environment, platform: environment.platform() }
    const read = environment.read()
    if ("error" in read) throw read.error
    return { variables: read.variables, platform: environment.platform() }
  },
  send: (config) => TokenCredential.fetchSend(plain.make(config.connectTimeout).fetch),
  exists: (path) => {
    try {
      return deno()?.statSync(path) !== undefined
    } catch {
      return false
    }
  },
  admit: denial,
  engine: (config, variables) => import("./engine.js").then((engine) => engine.make(config, variables))
}
