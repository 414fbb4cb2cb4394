import { readdirSync } from "node:fs"
import { resolve } from "node:path"
import type { Options } from "tsup"

/**
 * The one build every published package shares: ESM + CJS + declarations for each
 * public module, so `exports` can point at `dist/<Module>.{js,cjs,d.ts,d.cts}`.
 *
 * The barrel (`src/index.ts`, `export * as Module from "./Module.js"`) is built on its own, with the
 * modules left as imports of their `dist` files. Built together with them, code splitting would put
 * each module's namespace object in its chunk, created by a call (`__export(...)`) that a bundler
 * must keep; that call holds every export of the module, so importing one function of `Source`
 * would bundle every source. Left to the user's bundler, `import * as` is tree-shaken as usual.
 */
export const packageBuild = (overrides: Options = {}): Array<Options> => {
  const base: Options = {
    entry: ["src/*.ts"],
    format: ["esm", "cjs"],
    dts: true,
    clean: true,
    sourcemap: true,
    splitting: true,
    treeshake: true,
    target: "es2022",
    outDir: "dist",
    ...overrides
  }
  const entries = Array.isArray(base.entry) ? (base.entry as Array<string>) : undefined
  if (entries === undefined || !entries.includes("src/*.ts")) return [base]
  // Declarations for every module and the barrel come from one build, so the barrel's types are the
  // modules' own (rollup takes no globs here).
  const declarations = readdirSync("src")
    .filter((file) => file.endsWith(".ts"))
    .map((file) => `src/${file}`)
  return [
    {
      ...base,
      entry: [...entries, "!src/index.ts"],
      ...(base.dts === true ? { dts: { entry: declarations } } : {})
    },
    {
      ...base,
      entry: ["src/index.ts"],
      clean: false,
      dts: false,
      esbuildPlugins: [
        {
          name: "modules-stay-external",
          setup(build) {
            const cjs = build.initialOptions.outExtension?.[".js"] === ".cjs"
            build.onResolve({ filter: /^\.\/[A-Za-z]+\.js$/ }, (args) =>
              args.importer.endsWith("index.ts")
                ? { path: cjs ? args.path.replace(/\.js$/, ".cjs") : args.path, external: true }
                : undefined
            )
          }
        }
      ]
    }
  ]
}

/**
 * An adapter's build: the Promise API at the root, pre-bundled; the Effect API as usual.
 *
 * - `src/index.ts` (the root, which `./ManagedIdentityCredential` aliases) is one minified file with
 *   the modules it uses (core's protocol, the adapter's plain transport) compiled in and no Effect
 *   runtime: loading a graph of ES modules costs more of a cold start than the token request itself.
 * - `src/internal/engine.ts`, the Promise API's Effect engine, is its own file, loaded by the root's
 *   dynamic `import("./engine.js")` the first time a credential needs it. `engineBundle` lists what
 *   it compiles in; `effect` itself stays the program's own.
 * - Every other module (the Effect API) and the `src/effect.ts` barrel are built as `packageBuild`
 *   builds them: `effect`, `@effect/platform` and core stay external, shared with the program.
 */
export const adapterBuild = (options: {
  readonly rootBundle: ReadonlyArray<RegExp>
  /** What the engine compiles in; no engine (the edge's) when absent. */
  readonly engineBundle?: ReadonlyArray<RegExp> | undefined
}): Array<Options> => {
  const base: Options = {
    format: ["esm", "cjs"],
    clean: false,
    // Deno resolves only `node:`-prefixed built-ins.
    removeNodeProtocol: false,
    sourcemap: true,
    splitting: true,
    treeshake: true,
    target: "es2022",
    outDir: "dist"
  }
  const declarations = readdirSync("src")
    .filter((file) => file.endsWith(".ts"))
    .map((file) => `src/${file}`)
  const promiseApi = ["src/index.ts", "src/effect.ts", "src/ManagedIdentityCredential.ts"]
  const isCjs = (build: { initialOptions: { format?: string; outExtension?: Record<string, string> } }) =>
    build.initialOptions.format === "cjs" || build.initialOptions.outExtension?.[".js"] === ".cjs"
  const bundled = (entry: Record<string, string>, noExternal: ReadonlyArray<RegExp>, plainData: boolean): Options => ({
    ...base,
    entry,
    dts: false,
    splitting: false,
    noExternal: [...noExternal],
    minify: true,
    esbuildOptions(esbuild) {
      esbuild.sourcesContent = false
    },
    esbuildPlugins: [
      {
        // The root's errors need not be Effect values: core's internal/plainData.ts says why.
        name: "plain-data",
        setup(build) {
          if (!plainData) return
          build.onResolve({ filter: /^effect\/Data$/ }, () => ({
            path: resolve("..", "core", "src", "internal", "plainData.ts")
          }))
        }
      },
      {
        // Compiled in from their sources, not their `dist`: a `dist` built with code splitting
        // imports chunks for their side effects, which a bundle that trusts `sideEffects: false`
        // would drop, and the sources tree-shake better.
        name: "workspace-sources",
        setup(build) {
          build.onResolve({ filter: /^@managed-identity\/[a-z-]+(\/[A-Za-z]+)?$/ }, (args) => {
            if (!noExternal.some((pattern) => pattern.test(args.path))) return undefined
            const [, name, module] = /^@managed-identity\/([a-z-]+)(?:\/([A-Za-z]+))?$/.exec(args.path)!
            return { path: resolve("..", name!, "src", `${module ?? "index"}.ts`) }
          })
        }
      },
      {
        name: "engine-stays-a-file",
        setup(build) {
          build.onResolve({ filter: /^\.\/engine\.js$/ }, () => ({
            path: isCjs(build) ? "./engine.cjs" : "./engine.js",
            external: true
          }))
        }
      }
    ]
  })
  return [
    {
      ...base,
      entry: declarations.filter((file) => !promiseApi.includes(file)),
      clean: true,
      dts: { entry: declarations }
    },
    {
      ...base,
      entry: ["src/effect.ts"],
      dts: false,
      esbuildPlugins: [
        {
          name: "modules-stay-external",
          setup(build) {
            build.onResolve({ filter: /^\.\/[A-Za-z]+\.js$/ }, (args) =>
              args.importer.endsWith("effect.ts")
                ? { path: isCjs(build) ? args.path.replace(/\.js$/, ".cjs") : args.path, external: true }
                : undefined
            )
          }
        }
      ]
    },
    bundled({ index: "src/index.ts" }, options.rootBundle, true),
    ...(options.engineBundle === undefined
      ? []
      : [bundled({ engine: "src/internal/engine.ts" }, options.engineBundle, false)])
  ]
}
