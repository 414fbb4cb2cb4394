import { readdirSync } from "node:fs"
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
