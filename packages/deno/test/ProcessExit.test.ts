/**
 * An abandoned call in the real Deno binary: after an abort the process exits at once, and a
 * background refresh against a hung endpoint holds it no longer than one attempt (Deno cannot
 * unref a fetch; the retry waits after it run on unref'd timers). Conformance's process-exit
 * scenarios, run by test/deno/processExit.ts and measured from this process, which holds the emulator.
 */
import { processExitSuite } from "@managed-identity/conformance/ProcessExitSuite"
import { fileURLToPath } from "node:url"

processExitSuite({
  runtime: "deno",
  cwd: fileURLToPath(new URL("..", import.meta.url)),
  command: (args) => ({
    command: fileURLToPath(new URL("../node_modules/.bin/deno", import.meta.url)),
    args: [
      "run",
      "--no-check",
      "--no-prompt",
      "--node-modules-dir=manual",
      "--sloppy-imports",
      "--allow-net=127.0.0.1",
      "test/deno/processExit.ts",
      ...args
    ]
  })
})
