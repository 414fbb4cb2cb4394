/**
 * Bundling for the edge tests: the way a Worker is deployed (esbuild, one file, no Node built-ins).
 */
import * as esbuild from "esbuild"
import { fileURLToPath } from "node:url"

export const bundle = async (
  entry: string,
  options: {
    readonly format: "esm" | "iife"
    readonly minify?: boolean
    readonly platform?: "browser" | "neutral"
  }
): Promise<string> => {
  const result = await esbuild.build({
    entryPoints: [fileURLToPath(new URL(entry, import.meta.url))],
    bundle: true,
    write: false,
    format: options.format,
    platform: options.platform ?? "browser",
    // "neutral" resolves nothing by default: give it the fields and conditions a Worker bundler uses.
    mainFields: ["browser", "module", "main"],
    conditions: ["worker", "browser", "import"],
    target: "es2022",
    minify: options.minify ?? false,
    logLevel: "error"
  })
  return result.outputFiles[0]!.text
}
