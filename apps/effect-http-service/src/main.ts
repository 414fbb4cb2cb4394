/**
 * `node dist/main.js`: the service on 127.0.0.1:$PORT (default 3000), with its managed identity
 * detected from this process's environment, and spans and metrics printed to the console.
 *
 * This example runs against the emulator only: it refuses to start unless every endpoint variable
 * names 127.0.0.1, and the ManagedIdentity layer's endpoint guard checks again.
 */
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { ManagedIdentity } from "@managed-identity/core"
import * as Layer from "effect/Layer"
import * as Service from "./Service.js"
import * as Telemetry from "./Telemetry.js"

const endpoints = ["AZURE_POD_IDENTITY_AUTHORITY_HOST", "IDENTITY_ENDPOINT", "MSI_ENDPOINT", "IMDS_ENDPOINT"]
const configured = endpoints.filter((name) => process.env[name])
if (configured.length === 0) {
  console.error("effect-http-service: no managed-identity endpoint is set; start the emulator first (see README.md)")
  process.exit(1)
}
for (const name of configured) {
  let loopback = false
  try {
    loopback = ManagedIdentity.allowLoopbackOnly(new URL(process.env[name]!))
  } catch {
    loopback = false
  }
  if (!loopback) {
    console.error(`effect-http-service: ${name} must point at 127.0.0.1 for this example`)
    process.exit(1)
  }
}

const port = Number(process.env.PORT ?? 3000)
Service.layer({ port }).pipe(Layer.provide(Telemetry.layer()), Layer.launch, NodeRuntime.runMain)
