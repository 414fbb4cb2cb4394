#!/usr/bin/env node
// Lists the value-import cycles among the relative imports of a package's `src`:
//   node scripts/import-cycles.mjs packages/emulator [packages/core ...]
// Type-only imports (`import type`, or `import { type A }` with every name marked) are left out:
// they are erased at build time, so a cycle through them costs nothing at run time. Exits 1 if a
// cycle is found.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs"
import { dirname, join, relative, resolve } from "node:path"
import ts from "typescript"

const sourceFiles = (directory) =>
  readdirSync(directory).flatMap((name) => {
    const path = join(directory, name)
    if (statSync(path).isDirectory()) return sourceFiles(path)
    return name.endsWith(".ts") && !name.endsWith(".d.ts") ? [path] : []
  })

const isTypeOnly = (node) => {
  if (ts.isImportDeclaration(node)) {
    const clause = node.importClause
    if (clause === undefined) return false // `import "./x.js"` runs the module
    if (clause.isTypeOnly) return true
    if (clause.name !== undefined) return false
    const bindings = clause.namedBindings
    if (bindings === undefined || ts.isNamespaceImport(bindings)) return false
    return bindings.elements.length > 0 && bindings.elements.every((element) => element.isTypeOnly)
  }
  if (ts.isExportDeclaration(node)) {
    if (node.isTypeOnly) return true
    const clause = node.exportClause
    return clause !== undefined && ts.isNamedExports(clause) && clause.elements.every((element) => element.isTypeOnly)
  }
  return false
}

/** The files this file imports values from (relative specifiers only). */
const valueImports = (file) => {
  const source = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.Latest, false)
  const targets = []
  for (const node of source.statements) {
    if (!(ts.isImportDeclaration(node) || ts.isExportDeclaration(node))) continue
    const specifier = node.moduleSpecifier
    if (specifier === undefined || !ts.isStringLiteral(specifier) || !specifier.text.startsWith(".")) continue
    if (isTypeOnly(node)) continue
    const target = resolve(dirname(file), specifier.text.replace(/\.js$/, ".ts"))
    if (existsSync(target)) targets.push(target)
  }
  return targets
}

const cyclesIn = (packageDirectory) => {
  const root = resolve(packageDirectory, "src")
  const graph = new Map(sourceFiles(root).map((file) => [file, valueImports(file)]))
  const cycles = []
  const state = new Map() // file -> "visiting" | "done"
  const stack = []
  const visit = (file) => {
    state.set(file, "visiting")
    stack.push(file)
    for (const next of graph.get(file) ?? []) {
      if (state.get(next) === "visiting") cycles.push([...stack.slice(stack.indexOf(next)), next])
      else if (!state.has(next)) visit(next)
    }
    stack.pop()
    state.set(file, "done")
  }
  for (const file of graph.keys()) if (!state.has(file)) visit(file)
  return cycles.map((cycle) => cycle.map((file) => relative(root, file)).join(" -> "))
}

let found = false
for (const directory of process.argv.slice(2)) {
  const cycles = cyclesIn(directory)
  found ||= cycles.length > 0
  console.log(cycles.length === 0 ? `${directory}: no value-import cycles` : `${directory}:\n  ${cycles.join("\n  ")}`)
}
process.exit(found ? 1 : 0)
