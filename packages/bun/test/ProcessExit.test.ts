/**
 * An abandoned call in the real Bun binary: after an abort the process exits at once, and a
 * background refresh against a hung endpoint holds it no longer than one attempt (Bun cannot unref
 * a fetch; the retry waits after it run on unref'd timers). Conformance's process-exit scenarios,
 * run by test/bun/processExit.ts and measured from this process, which holds the emulator.
 */
import { processExitSuite } from "@managed-identity/conformance/ProcessExitSuite"
import { fileURLToPath } from "node:url"

processExitSuite({
  runtime: "bun",
  cwd: fileURLToPath(new URL("..", import.meta.url)),
  command: (args) => ({
    command: fileURLToPath(new URL("../node_modules/.bin/bun", import.meta.url)),
    args: ["run", "test/bun/processExit.ts", ...args]
  })
})
