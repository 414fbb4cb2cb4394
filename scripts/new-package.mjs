#!/usr/bin/env node
// Creates packages/<dir> with the layout every published package shares (see CONTRIBUTING.md).
// Usage: node scripts/new-package.mjs <dir> "<one-line description>"
import { existsSync, mkdirSync, writeFileSync, copyFileSync } from "node:fs"
import { join } from "node:path"

const [dir, description] = process.argv.slice(2)
if (!dir || !description) {
  console.error('usage: node scripts/new-package.mjs <dir> "<description>"')
  process.exit(2)
}
const root = join(import.meta.dirname, "..")
const pkgDir = join(root, "packages", dir)
if (existsSync(pkgDir)) {
  console.error(`packages/${dir} already exists`)
  process.exit(1)
}
mkdirSync(join(pkgDir, "src"), { recursive: true })
mkdirSync(join(pkgDir, "test"), { recursive: true })
const name = `@managed-identity/${dir}`
const pkg = {
  name,
  version: "0.0.0",
  description,
  license: "MIT",
  type: "module",
  sideEffects: false,
  repository: {
    type: "git",
    url: "git+https://github.com/managed-identity/managed-identity.git",
    directory: `packages/${dir}`
  },
  files: ["dist", "src", "README.md", "CHANGELOG.md", "LICENSE"],
  main: "./dist/index.cjs",
  module: "./dist/index.js",
  types: "./dist/index.d.cts",
  exports: {
    ".": {
      import: { types: "./dist/index.d.ts", default: "./dist/index.js" },
      require: { types: "./dist/index.d.cts", default: "./dist/index.cjs" }
    },
    "./package.json": "./package.json"
  },
  scripts: {
    build: "tsup",
    typecheck: "tsc --noEmit",
    test: "vitest run",
    "check:package": "node ../../scripts/check-package.mjs"
  },
  publishConfig: { access: "public" }
}
writeFileSync(join(pkgDir, "package.json"), JSON.stringify(pkg, null, 2) + "\n")
writeFileSync(
  join(pkgDir, "tsup.config.ts"),
  `import { defineConfig } from "tsup"\nimport { packageBuild } from "../../tsup.base.js"\n\nexport default defineConfig(packageBuild())\n`
)
writeFileSync(
  join(pkgDir, "vitest.config.ts"),
  `import { packageTests } from "../../vitest.shared.js"\n\nexport default packageTests\n`
)
writeFileSync(
  join(pkgDir, "tsconfig.json"),
  JSON.stringify(
    {
      extends: "../../tsconfig.base.json",
      compilerOptions: { noEmit: true, types: ["node"] },
      include: ["src", "test", "*.ts"]
    },
    null,
    2
  ) + "\n"
)
writeFileSync(join(pkgDir, "README.md"), `# ${name}\n\n${description}\n`)
copyFileSync(join(root, "LICENSE"), join(pkgDir, "LICENSE"))
console.log(`created packages/${dir}`)
