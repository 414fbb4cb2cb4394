/**
 * Run by test/ProcessExit.test.ts under `bun run`: one of conformance's process-exit scenarios
 * through the Bun credential. The scenario and its setup arrive as arguments.
 */
import { ManagedIdentity } from "@managed-identity/core"
import * as ProcessExit from "@managed-identity/conformance/ProcessExit"
import { AbortError, ManagedIdentityCredential } from "../../src/index.js"

const [scenario, json] = process.argv.slice(2)
await ProcessExit.run(
  {
    credential: (environment, settings) =>
      new ManagedIdentityCredential({
        managedIdentity: { ...settings, environment, endpointGuard: ManagedIdentity.allowLoopbackOnly }
      }),
    AbortError
  },
  scenario as ProcessExit.Scenario,
  JSON.parse(json ?? "null") as ProcessExit.Setup
)
