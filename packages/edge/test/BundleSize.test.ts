/**
 * The cost of the edge adapter in a Worker: one `getToken` call, bundled and minified as a
 * deployment would be, then gzipped. The budget is stated (and explained) in README.md.
 */
import { describe, expect, it } from "@effect/vitest"
import { gzipSync } from "node:zlib"
import { bundle } from "./support.js"

/** README.md, "Bundle size": 64 KiB gzipped. */
const BUDGET_BYTES = 64 * 1024

describe("bundle size", () => {
  it.each(["browser", "neutral"] as const)(
    "one getToken, platform %s, stays under the gzipped budget",
    async (platform) => {
      const code = await bundle("./edge/size.ts", { format: "esm", minify: true, platform })
      const gzipped = gzipSync(code, { level: 9 }).byteLength
      console.log(`edge bundle (${platform}): ${code.length} bytes minified, ${gzipped} bytes gzipped`)
      // No Node built-in may leak into an edge bundle.
      expect(code).not.toMatch(/\bfrom\s*["']node:|require\(["']node:/)
      expect(gzipped).toBeLessThan(BUDGET_BYTES)
    }
  )

  it("carries no Effect runtime: the Promise API serves what an edge runtime can without it", async () => {
    const code = await bundle("./edge/size.ts", { format: "esm", minify: true, platform: "browser" })
    // The type ids (`Symbol.for("…")`) of the fiber runtime's modules, which minification keeps.
    for (const typeId of ["effect/FiberRef", "effect/Fiber", "effect/Runtime", "effect/Scope", "effect/Layer"]) {
      expect(code).not.toContain(JSON.stringify(typeId))
    }
    // The sources it serves are there (each source's api-version appears in its own module only).
    expect(code).toContain("2019-08-01") // App Service
    expect(code).toContain("2018-02-01") // IMDS
  })
})
