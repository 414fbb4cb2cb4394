/**
 * The cost of the edge adapter in a Worker: one `getToken` call, bundled and minified as a
 * deployment would be, then gzipped. The budget is stated (and explained) in README.md.
 */
import { describe, expect, it } from "@effect/vitest"
import { gzipSync } from "node:zlib"
import { bundle } from "./support.js"

/** README.md, "Bundle size": 110 KiB gzipped. */
const BUDGET_BYTES = 110 * 1024

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
})
