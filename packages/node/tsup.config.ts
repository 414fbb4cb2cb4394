import { readdirSync } from "node:fs"
import { defineConfig, type Options } from "tsup"
import { packageBuild } from "../../tsup.base.js"

// Declarations for every public module, the Promise API's included (rollup takes no globs here).
const publicModules = readdirSync("src")
  .filter((file) => file.endsWith(".ts"))
  .map((file) => `src/${file}`)

// The Promise API's own entry point, built twice over: its outputs must survive the other build's clean.
const promiseApiOutputs = ["js", "cjs", "js.map", "cjs.map"].map((ext) => `!ManagedIdentityCredential.${ext}`)

// Every module as usual: Effect, @effect/platform, core and node-shared stay external, shared with the user's
// program. `packageBuild` gives two builds, the modules and the barrel.
const [modules, barrel] = packageBuild({
  entry: ["src/*.ts", "!src/ManagedIdentityCredential.ts"],
  dts: { entry: publicModules },
  clean: promiseApiOutputs
})

// The barrel (`@managed-identity/node`) carries its own, unbundled ManagedIdentityCredential, sharing
// the program's Effect: every other module stays an import of its `dist` file, but
// `./ManagedIdentityCredential.js` (the pre-bundled entry below) is compiled in. Its declarations
// come from the modules build, which has `src/index.ts` among its `dts` entries.
const barrelModulesStayExternal: NonNullable<Options["esbuildPlugins"]>[number] = {
  name: "barrel-modules-stay-external",
  setup(build) {
    // tsup builds CommonJS with code splitting as ESM with a `.cjs` extension, then converts it.
    const cjs = build.initialOptions.format === "cjs" || build.initialOptions.outExtension?.[".js"] === ".cjs"
    build.onResolve({ filter: /^\.\/[A-Za-z]+\.js$/ }, (args) =>
      args.path === "./ManagedIdentityCredential.js"
        ? undefined
        : { path: cjs ? args.path.replace(/\.js$/, ".cjs") : args.path, external: true }
    )
  }
}

export default defineConfig([
  modules!,
  { ...barrel!, dts: false, esbuildPlugins: [barrelModulesStayExternal] },
  // `@managed-identity/node/ManagedIdentityCredential`, pre-bundled (and minified: less to parse) with
  // the parts of Effect, @effect/platform, core and node-shared it uses. Loading Effect as hundreds of ES modules
  // costs ~300 ms on a small VM; one file costs ~35 ms (bench/README.md, "What moved the numbers").
  // A Promise-API caller shares nothing with an Effect program but the rare Effect-valued options
  // (Effect keys its runtime state by version, so those still work), and the error classes are
  // recognised across copies (core's TokenCredential brands them). Node's own modules (`node:http`,
  // `node:https`, `node:tls`, `node:net`) stay external, as they always are.
  ...packageBuild({
    entry: ["src/ManagedIdentityCredential.ts"],
    dts: false,
    clean: false,
    noExternal: [
      /^effect(\/|$)/,
      /^@effect\/platform(\/|$)/,
      /^@managed-identity\/core(\/|$)/,
      /^@managed-identity\/node-shared(\/|$)/
    ],
    minify: true,
    esbuildOptions(options) {
      options.sourcesContent = false
    }
  })
])
