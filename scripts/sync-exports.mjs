#!/usr/bin/env node
// Rewrites the `exports` map of the package in the current directory from its public modules:
// every `src/<Module>.ts` (but `bin.ts`, an executable) becomes `./<Module>` (and `src/index.ts` becomes `.`), ESM + CJS + types.
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs"
import { basename } from "node:path"

const pkg = JSON.parse(readFileSync("package.json", "utf8"))
const modules = readdirSync("src")
  .filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts"))
  .map((f) => basename(f, ".ts"))
  .filter((m) => m !== "bin")
  .sort()
// An adapter (tsup.base.ts `adapterBuild`: a Promise-API root and an Effect API) pre-bundles its root, and
// `./ManagedIdentityCredential` is that same file: one module instance, whichever path imports it.
const adapter = existsSync("src/effect.ts") && existsSync("src/ManagedIdentityCredential.ts")
const entry = (m) => {
  const code = adapter && m === "ManagedIdentityCredential" ? "index" : m
  return {
    import: { types: `./dist/${m}.d.ts`, default: `./dist/${code}.js` },
    require: { types: `./dist/${m}.d.cts`, default: `./dist/${code}.cjs` }
  }
}
const exportsMap = {}
if (modules.includes("index")) exportsMap["."] = entry("index")
for (const m of modules) if (m !== "index") exportsMap[`./${m}`] = entry(m)
exportsMap["./package.json"] = "./package.json"
pkg.exports = exportsMap
writeFileSync("package.json", JSON.stringify(pkg, null, 2) + "\n")
console.log(`${pkg.name}: ${Object.keys(exportsMap).length - 1} entry points`)
