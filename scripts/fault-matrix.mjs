#!/usr/bin/env node
// Regenerates docs/fault-matrix.md from the table in packages/node/test/reliability/FaultMatrix.test.ts
// and runs that table against the emulator. The document is written from the table (what each
// source must do); the run proves it. Without UPDATE_FAULT_MATRIX the same test fails when the
// committed document differs from the table, so the two cannot drift.
//
//   node scripts/fault-matrix.mjs          # write the document, run the whole matrix
//   node scripts/fault-matrix.mjs --docs   # only write the document
import { spawnSync } from "node:child_process"
import { fileURLToPath } from "node:url"

const nodePackage = fileURLToPath(new URL("../packages/node/", import.meta.url))
const onlyDocs = process.argv.includes("--docs")
const args = [
  "vitest",
  "run",
  "test/reliability/FaultMatrix.test.ts",
  ...(onlyDocs ? ["-t", "docs/fault-matrix.md"] : [])
]

const result = spawnSync("npx", args, {
  cwd: nodePackage,
  stdio: "inherit",
  env: { ...process.env, UPDATE_FAULT_MATRIX: "1" }
})
process.exit(result.status ?? 1)
