/**
 * BunFileReader in the real Bun binary (test/bun/fileReader.ts), over a temporary directory.
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
const bun = fileURLToPath(new URL("../node_modules/.bin/bun", import.meta.url))

describe("BunFileReader (in Bun)", () => {
  it("passes every case of test/bun/fileReader.ts", async () => {
    const directory = realpathSync(mkdtempSync(join(tmpdir(), "mi-bun-files-")))
    try {
      writeFileSync(join(directory, "token"), "header.payload.signature")
      writeFileSync(join(directory, "large.key"), "x".repeat(5000))
      writeFileSync(join(directory, "lines"), lines)
      symlinkSync(join(directory, "token"), join(directory, "link"))
      const outcome = await Harness.execute(bun, ["test", "./test/bun/fileReader.ts"], {
        cwd: root,
        env: { MI_FILES_DIRECTORY: directory }
      })
      const output = outcome.stdout + outcome.stderr
      expect(outcome.code, output).toBe(0)
      expect(output).toMatch(/\b5 pass\b/)
      expect(output).toMatch(/\b0 fail\b/)
    } finally {
      rmSync(directory, { recursive: true, force: true })
    }
  })
})
