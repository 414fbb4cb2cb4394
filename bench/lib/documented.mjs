// What the documentation tells a Promise-API user on Node to import, read when the benchmark runs, so
// the cold-start rows measure the line a new user copies, whatever it is at the time: every
// `import { …ManagedIdentityCredential… } from "@managed-identity/node…"` (or the `require` form) in
// the README, the node package's README and docs/. Each distinct specifier is measured.
import { readdirSync, readFileSync, statSync } from "node:fs"
import { join, relative } from "node:path"

const IMPORT =
  /import\s*\{[^}]*\bManagedIdentityCredential\b[^}]*\}\s*from\s*["'](@managed-identity\/node(?:\/[^"']*)?)["']/g
const REQUIRE =
  /\{[^}]*\bManagedIdentityCredential\b[^}]*\}\s*=\s*require\(\s*["'](@managed-identity\/node(?:\/[^"']*)?)["']\s*\)/g

const markdownUnder = (dir) =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    return statSync(path).isDirectory() ? markdownUnder(path) : name.endsWith(".md") ? [path] : []
  })

/** `[{ specifier, files }]`, the most documented first (then the README's own). */
export const documentedImports = (root) => {
  const files = [join(root, "README.md"), join(root, "packages/node/README.md"), ...markdownUnder(join(root, "docs"))]
  const found = new Map()
  for (const file of files) {
    const text = readFileSync(file, "utf8")
    for (const pattern of [IMPORT, REQUIRE]) {
      for (const match of text.matchAll(pattern)) {
        const entry = found.get(match[1]) ?? { specifier: match[1], files: new Set(), count: 0 }
        entry.files.add(relative(root, file))
        entry.count++
        found.set(match[1], entry)
      }
    }
  }
  if (found.size === 0) {
    throw new Error(
      "bench: README.md, packages/node/README.md and docs/ show no import of ManagedIdentityCredential from @managed-identity/node"
    )
  }
  return [...found.values()]
    .sort((a, b) => Number(b.files.has("README.md")) - Number(a.files.has("README.md")) || b.count - a.count)
    .map(({ specifier, files }) => ({ specifier, files: [...files].sort() }))
}
