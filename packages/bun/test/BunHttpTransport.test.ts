/**
 * Bun's transport wiring, run in Node (the conformance suite runs it in the real Bun binary):
 * node-shared's connect probe goes first, over `node:net`, and core's fetch transport never follows a redirect.
 * The probe itself is tested in node-shared (test/ConnectProbe.test.ts); the cases are the shared
 * transport suite's.
 */
import * as Effect from "effect/Effect"
import { transportSuite } from "@managed-identity/conformance/TransportSuite"
import { BunHttpTransport } from "../src/effect.js"

transportSuite("BunHttpTransport", {
  make: (options) => Effect.sync(() => BunHttpTransport.make(options)),
  layer: BunHttpTransport.layer
})
