/**
 * Publishable to JSR: jsr.json follows package.json, and `deno publish --dry-run` (Deno's type
 * check, JSR's slow-type check and file list) passes offline, without touching the workspace.
 */
import { describe, expect, it } from "@effect/vitest"
import { readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import * as Harness from "@managed-identity/conformance/Harness"

const root = fileURLToPath(new URL("..", import.meta.url))
const workspaceManifest = fileURLToPath(new URL("../../../package.json", import.meta.url))

describe("JSR", () => {
  it("jsr.json has package.json's name, version, modules and dependency ranges", async () => {
    const outcome = await Harness.execute(process.execPath, ["scripts/jsr.mjs", "check"], { cwd: root })
    expect(outcome.code, outcome.stderr).toBe(0)
    const jsr = JSON.parse(readFileSync(`${root}/jsr.json`, "utf8"))
    expect(Object.keys(jsr.exports)).toContain("./DenoManagedIdentity")
  })

  it("deno publish --dry-run passes", async () => {
    const before = readFileSync(workspaceManifest, "utf8")
    const outcome = await Harness.execute(process.execPath, ["scripts/jsr.mjs", "dry-run"], {
      cwd: root,
      timeoutMs: 120_000
    })
    expect(outcome.code, outcome.stdout + outcome.stderr).toBe(0)
    expect(outcome.stdout + outcome.stderr).toContain("Dry run complete")
    expect(readFileSync(workspaceManifest, "utf8")).toBe(before)
  }, 120_000)
})
