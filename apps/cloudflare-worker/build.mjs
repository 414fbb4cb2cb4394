// Bundles the Worker the way a Worker is deployed: one ES module, no Node built-ins
// (what `wrangler deploy` does with esbuild too).
import * as esbuild from "esbuild"
import { fileURLToPath } from "node:url"

export const outfile = fileURLToPath(new URL("dist/worker.js", import.meta.url))

/** Builds src/worker.ts into dist/worker.js. */
export const build = async () => {
  await esbuild.build({
    entryPoints: [fileURLToPath(new URL("src/worker.ts", import.meta.url))],
    outfile,
    bundle: true,
    format: "esm",
    platform: "browser",
    mainFields: ["browser", "module", "main"],
    conditions: ["worker", "browser", "import"],
    target: "es2022",
    minify: true,
    logLevel: "error"
  })
  return outfile
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await build()
