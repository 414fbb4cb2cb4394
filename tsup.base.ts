import type { Options } from "tsup"

/**
 * The one build every published package shares: ESM + CJS + declarations for each
 * public module, so `exports` can point at `dist/<Module>.{js,cjs,d.ts,d.cts}`.
 */
export const packageBuild = (overrides: Options = {}): Options => ({
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
})
