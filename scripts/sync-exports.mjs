#!/usr/bin/env node
// Rewrites the `exports` map of the package in the current directory from its public modules:
// every `src/<Module>.ts` (but `bin.ts`, an executable) becomes `./<Module>` (and `src/index.ts` becomes `.`), ESM + CJS + types.
import { readdirSync, readFileSync, writeFileSync } from "node:fs"
import { basename } from "node:path"

const pkg = JSON.parse(readFileSync("package.json", "utf8"))
const modules = readdirSync("src")
  .filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts"))
  .map((f) => basename(f, ".ts"))
  .filter((m) => m !== "bin")
  .sort()
const entry = (m) => ({
  import: { types: `./dist/${m}.d.ts`, default: `./dist/${m}.js` },
  require: { types: `./dist/${m}.d.cts`, default: `./dist/${m}.cjs` }
})
const exportsMap = {}
if (modules.includes("index")) exportsMap["."] = entry("index")
for (const m of modules) if (m !== "index") exportsMap[`./${m}`] = entry(m)
exportsMap["./package.json"] = "./package.json"
pkg.exports = exportsMap
writeFileSync("package.json", JSON.stringify(pkg, null, 2) + "\n")
console.log(`${pkg.name}: ${Object.keys(exportsMap).length - 1} entry points`)
