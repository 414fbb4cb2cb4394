/**
 * The cost of the edge adapter in a Worker: one `getToken` call, bundled and minified as a
 * deployment would be, then gzipped. The budget is stated (and explained) in README.md.
 */
import { describe, expect, it } from "@effect/vitest"
import { gzipSync } from "node:zlib"
import { bundle } from "./support.js"

/** README.md, "Bundle size": 70 KiB gzipped. */
const BUDGET_BYTES = 70 * 1024

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

  it("leaves out the sources an edge runtime cannot use, keeps the ones it can", async () => {
    const code = await bundle("./edge/size.ts", { format: "esm", minify: true, platform: "browser" })
    // Each source's api-version (or grant type) appears only in its own module.
    expect(code).toContain("2019-08-01") // App Service
    expect(code).toContain("2017-09-01") // Azure ML / Cloud Shell era
    expect(code).toContain("2018-02-01") // IMDS
    expect(code).not.toContain("2019-07-01-preview") // Service Fabric
    expect(code).not.toContain("2020-06-01") // Azure Arc
    expect(code).not.toContain("client-assertion-type:jwt-bearer") // workload identity
  })
})
