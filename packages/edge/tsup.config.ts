import { defineConfig } from "tsup"
import { adapterBuild } from "../../tsup.base.js"

// The root (`@managed-identity/edge`, the Promise API) compiles in the few modules of core it uses,
// and no Effect runtime; a Worker's bundler tree-shakes it further. There is no engine: nothing an
// edge runtime can serve needs one.
export default defineConfig(
  adapterBuild({
    rootBundle: [/^effect(\/|$)/, /^@managed-identity\/core(\/|$)/]
  })
)
