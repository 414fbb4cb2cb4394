import { defineConfig } from "tsup"
import { adapterBuild } from "../../tsup.base.js"

// The root (`@managed-identity/deno`, the Promise API) compiles in the few modules of core and
// node-shared its first request uses, and no Effect runtime; the engine compiles in core and
// node-shared and imports the program's `effect`.
export default defineConfig(
  adapterBuild({
    rootBundle: [/^effect(\/|$)/, /^@managed-identity\/core(\/|$)/, /^@managed-identity\/node-shared(\/|$)/],
    engineBundle: [/^@managed-identity\/core(\/|$)/, /^@managed-identity\/node-shared(\/|$)/]
  })
)
