import { readdirSync } from "node:fs"
import { defineConfig } from "tsup"
import { packageBuild } from "../../tsup.base.js"

// Declarations for every public module, the Promise API's included (rollup takes no globs here).
const publicModules = readdirSync("src")
  .filter((file) => file.endsWith(".ts"))
  .map((file) => `src/${file}`)

// The Promise API's own entry point, built twice over: its outputs must survive the other build's clean.
const promiseApiOutputs = ["js", "cjs", "js.map", "cjs.map"].map((ext) => `!ManagedIdentityCredential.${ext}`)

export default defineConfig([
  // Every module as usual: Effect, @effect/platform and core stay external, shared with the user's
  // program. The barrel (`@managed-identity/node`) carries its own, unbundled ManagedIdentityCredential.
  packageBuild({
    entry: ["src/*.ts", "!src/ManagedIdentityCredential.ts"],
    dts: { entry: publicModules },
    clean: promiseApiOutputs
  }),
  // `@managed-identity/node/ManagedIdentityCredential`, pre-bundled (and minified: less to parse) with
  // the parts of Effect, @effect/platform and core it uses. Loading Effect as hundreds of ES modules
  // costs ~300 ms on a small VM; one file costs ~35 ms (bench/README.md, "What moved the numbers").
  // A Promise-API caller shares nothing with an Effect program but the rare Effect-valued options
  // (Effect keys its runtime state by version, so those still work), and the error classes are
  // recognised across copies (core's TokenCredential brands them). undici stays external: it is
  // loaded only for Service Fabric's pinned TLS.
  packageBuild({
    entry: ["src/ManagedIdentityCredential.ts"],
    dts: false,
    clean: false,
    noExternal: [/^effect(\/|$)/, /^@effect\/platform(\/|$)/, /^@managed-identity\/core(\/|$)/],
    external: ["undici"],
    minify: true,
    esbuildOptions(options) {
      options.sourcesContent = false
    }
  })
])
