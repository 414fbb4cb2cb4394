#!/usr/bin/env node
// JSR publishing for @managed-identity/deno.
//
//   node scripts/jsr.mjs sync      rewrite jsr.json from package.json (version, exports, dependency ranges)
//   node scripts/jsr.mjs check     fail if jsr.json is not what `sync` would write
//   node scripts/jsr.mjs dry-run   `deno publish --dry-run` (type check, slow-type check, file list), offline
//   node scripts/jsr.mjs publish   `deno publish`
//
// Deno publishes from a staging copy (src, jsr.json, README, LICENSE) in a temporary directory with a
// node_modules of links to this package's dependencies: in the monorepo, Deno would find
// pnpm-workspace.yaml, offer to migrate it into the root package.json, and resolve the workspace's
// @managed-identity/core differently from what users get from npm.
import { execFileSync } from "node:child_process"
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join, resolve } from "node:path"
import { fileURLToPath } from "node:url"

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..")
const read = (path) => JSON.parse(readFileSync(join(root, path), "utf8"))
const pkg = read("package.json")
const core = read("node_modules/@managed-identity/core/package.json")
const nodeShared = read("node_modules/@managed-identity/node-shared/package.json")

/** jsr.json as package.json says it should be. */
const expectedJsr = () => {
  const exports = { ".": "./src/index.ts" }
  for (const key of Object.keys(pkg.exports)) {
    if (key !== "." && key !== "./package.json") exports[key] = `./src/${key.slice(2)}.ts`
  }
  return {
    name: pkg.name,
    version: pkg.version,
    exports,
    imports: {
      "@managed-identity/core": `npm:@managed-identity/core@^${core.version}`,
      "@managed-identity/core/": `npm:/@managed-identity/core@^${core.version}/`,
      "@managed-identity/node-shared/": `npm:/@managed-identity/node-shared@^${nodeShared.version}/`,
      "effect/": `npm:/effect@${pkg.peerDependencies.effect}/`,
      "@effect/platform/": `npm:/@effect/platform@${pkg.peerDependencies["@effect/platform"]}/`
    },
    publish: { include: ["src/**/*.ts", "README.md", "LICENSE", "jsr.json"] }
  }
}

const stage = () => {
  const directory = mkdtempSync(join(tmpdir(), "mi-jsr-"))
  for (const entry of ["src", "jsr.json", "README.md", "LICENSE"])
    cpSync(join(root, entry), join(directory, entry), { recursive: true })
  const link = (name, target) => {
    mkdirSync(dirname(join(directory, "node_modules", name)), { recursive: true })
    symlinkSync(target, join(directory, "node_modules", name))
  }
  link("@managed-identity/core", join(root, "node_modules/@managed-identity/core"))
  link("@managed-identity/node-shared", join(root, "node_modules/@managed-identity/node-shared"))
  link("effect", join(root, "node_modules/effect"))
  link("@effect/platform", join(root, "node_modules/@effect/platform"))
  // Deno types `node:` modules with @types/node, from node_modules in this mode.
  link("@types/node", resolve(root, "../../node_modules/@types/node"))
  const versionOf = (name) =>
    JSON.parse(readFileSync(join(directory, "node_modules", name, "package.json"), "utf8")).version
  const names = ["@managed-identity/core", "@managed-identity/node-shared", "effect", "@effect/platform", "@types/node"]
  writeFileSync(
    join(directory, "package.json"),
    JSON.stringify({
      private: true,
      type: "module",
      dependencies: Object.fromEntries(names.map((n) => [n, versionOf(n)]))
    })
  )
  return directory
}

const deno = (args, cwd) =>
  execFileSync(join(root, "node_modules/.bin/deno"), args, {
    cwd,
    stdio: "inherit",
    env: { ...process.env, NO_COLOR: "1" }
  })

const command = process.argv[2]
const expected = `${JSON.stringify(expectedJsr(), null, 2)}\n`
if (command === "sync") {
  writeFileSync(join(root, "jsr.json"), expected)
  console.log(`${pkg.name}: jsr.json written`)
} else if (command === "check") {
  // Compared as data: the formatter may lay the file out differently.
  if (JSON.stringify(JSON.parse(readFileSync(join(root, "jsr.json"), "utf8"))) !== JSON.stringify(expectedJsr())) {
    console.error(`${pkg.name}: jsr.json is out of sync with package.json. Run: node scripts/jsr.mjs sync`)
    process.exit(1)
  }
} else if (command === "dry-run" || command === "publish") {
  const directory = stage()
  try {
    deno(
      [
        "publish",
        "--sloppy-imports",
        "--node-modules-dir=manual",
        ...(command === "dry-run" ? ["--dry-run", "--allow-dirty"] : [])
      ],
      directory
    )
  } finally {
    rmSync(directory, { recursive: true, force: true })
  }
} else {
  console.error("usage: node scripts/jsr.mjs sync | check | dry-run | publish")
  process.exit(2)
}
