#!/usr/bin/env node
// `pnpm check` runs this in every published package after its build: the exports map must match
// the public modules in src/, and publint and Are-The-Types-Wrong must report no errors.
import { execFileSync } from "node:child_process"
import { readdirSync, readFileSync } from "node:fs"
import { basename } from "node:path"

const pkg = JSON.parse(readFileSync("package.json", "utf8"))
const modules = readdirSync("src")
  .filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts"))
  .map((f) => basename(f, ".ts"))
  .filter((m) => m !== "bin")
const expected = modules.map((m) => (m === "index" ? "." : `./${m}`)).sort()
const actual = Object.keys(pkg.exports ?? {})
  .filter((k) => k !== "./package.json")
  .sort()
const missing = expected.filter((k) => !actual.includes(k))
const stale = actual.filter((k) => !expected.includes(k))
if (missing.length || stale.length) {
  console.error(
    `${pkg.name}: exports map out of sync with src/ — missing [${missing.join(", ")}], stale [${stale.join(", ")}]. Run: node ../../scripts/sync-exports.mjs`
  )
  process.exit(1)
}
const run = (cmd, args) => execFileSync(cmd, args, { stdio: "inherit" })
run("publint", ["--strict", "--level", "warning"])
run("attw", ["--pack", ".", "--profile", "node16", "--format", "table-flipped"])
