/**
 * Deno's transport wiring, run in Node (test/DenoManagedIdentity.test.ts and the conformance suite
 * run it in the real Deno binary, with `Deno.createHttpClient` bypassing `HTTP_PROXY`): node-shared's
 * connect probe goes first, over `node:net`, and core's fetch transport never follows a redirect.
 * The probe itself is tested in node-shared (test/ConnectProbe.test.ts); the cases are the shared
 * transport suite's.
 */
import { transportSuite } from "@managed-identity/conformance/TransportSuite"
import { DenoHttpTransport } from "../src/effect.js"

transportSuite("DenoHttpTransport", { make: DenoHttpTransport.make, layer: DenoHttpTransport.layer })
