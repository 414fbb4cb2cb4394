/**
 * Run by test/ProcessExit.test.ts under `bun run`: one of conformance's process-exit scenarios
 * through the Bun credential. The scenario and its setup arrive as arguments.
 */
import { ManagedIdentity } from "@managed-identity/core"
import * as ProcessExit from "@managed-identity/conformance/ProcessExit"
import { AbortError, ManagedIdentityCredential } from "../../src/index.js"

await ProcessExit.main(
  { ManagedIdentityCredential, AbortError, endpointGuard: ManagedIdentity.allowLoopbackOnly },
  process.argv.slice(2)
)
