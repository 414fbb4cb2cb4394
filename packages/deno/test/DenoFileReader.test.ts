/**
 * DenoFileReader in the real Deno binary (test/deno/fileReader.ts), allowed to read one temporary
 * directory only.
 */
import { describe, expect, it } from "@effect/vitest"
import { mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import * as Harness from "@managed-identity/conformance/Harness"

// 40 000 bytes of numbered lines: more than two of core's 16 KiB reads.
const lines = Array.from({ length: 5000 }, (_, i) => String(i).padStart(7, "0")).join("\n") + "\n"
const root = fileURLToPath(new URL("..", import.meta.url))
const deno = fileURLToPath(new URL("../node_modules/.bin/deno", import.meta.url))

describe("DenoFileReader (in Deno)", () => {
  it("passes every case of test/deno/fileReader.ts", async () => {
    const directory = realpathSync(mkdtempSync(join(tmpdir(), "mi-deno-files-")))
    const outside = realpathSync(mkdtempSync(join(tmpdir(), "mi-deno-outside-")))
    try {
      writeFileSync(join(directory, "token"), "header.payload.signature")
      writeFileSync(join(directory, "large.key"), "x".repeat(5000))
      writeFileSync(join(directory, "lines"), lines)
      symlinkSync(join(directory, "token"), join(directory, "link"))
      writeFileSync(join(outside, "secret.key"), "never read")
      const outcome = await Harness.execute(
        deno,
        [
          "test",
          "--no-check",
          "--no-prompt",
          "--node-modules-dir=manual",
          "--sloppy-imports",
          `--allow-read=${directory}`,
          "test/deno/fileReader.ts",
          "--",
          directory,
          join(outside, "secret.key")
        ],
        { cwd: root }
      )
      expect(outcome.code, outcome.stdout + outcome.stderr).toBe(0)
      expect(outcome.stdout).toMatch(/ok \| 6 passed \| 0 failed/)
    } finally {
      rmSync(directory, { recursive: true, force: true })
      rmSync(outside, { recursive: true, force: true })
    }
  })
})
