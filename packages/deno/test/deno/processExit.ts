/**
 * Run by test/ProcessExit.test.ts under `deno run`: one of conformance's process-exit scenarios
 * through the Deno credential. The scenario and its setup arrive as arguments.
 */
import { ManagedIdentity } from "@managed-identity/core"
import * as ProcessExit from "@managed-identity/conformance/ProcessExit"
import { AbortError, ManagedIdentityCredential } from "../../src/index.js"

declare const Deno: { readonly args: ReadonlyArray<string> }

await ProcessExit.main(
  { ManagedIdentityCredential, AbortError, endpointGuard: ManagedIdentity.allowLoopbackOnly },
  Deno.args
)
