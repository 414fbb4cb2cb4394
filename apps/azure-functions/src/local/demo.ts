// `pnpm start`: the function app on a simulated consumption plan, with no Azure account. It starts
// the emulator (App Service's identity endpoint, failing 16% of token requests as in the Functions
// write-up) and a stand-in Key Vault, cold-starts instances of the function, invokes each a few
// times the way the Functions host does, and prints what the mitigations did. Every byte stays on
// 127.0.0.1.
import functions from "@azure/functions"
import { Emulator } from "@managed-identity/emulator"
import { makeGetSecretHandler } from "../getSecretHandler.js"
import { assertLoopback } from "../identity.js"
import { snapshot, total } from "../metrics.js"
import { startKeyVaultStandIn } from "./keyVaultStandIn.js"

const { HttpRequest, InvocationContext } = functions
const INSTANCES = 20
const INVOCATIONS = 5
const CLIENT_ID = "7d3c1b8e-0000-4000-8000-00000000f00d"

const emulator = await Emulator.start({
  identities: ["system", `user:clientId=${CLIENT_ID},name=function-app`],
  faults: ["appservice:503@0.16"]
})
const vault = await startKeyVaultStandIn({
  jwks: emulator.jwks,
  tenantId: emulator.tenantId,
  secrets: { "db-connection": "Server=db.internal;Password=not-a-real-password" },
  clientId: CLIENT_ID
})
const settings = {
  FUNCTIONS_WORKER_RUNTIME: "node",
  ...emulator.envFor("appservice"),
  AZURE_CLIENT_ID: CLIENT_ID,
  KEY_VAULT_URL: vault.url
}
// Fail closed: every endpoint must be the local emulator before anything is built.
assertLoopback(settings)

console.log(`emulator ${emulator.url} (App Service endpoint failing 16% of token requests), Key Vault ${vault.url}`)
console.log(`${INSTANCES} instances cold-start, ${INVOCATIONS} concurrent invocations each`)
console.log("retry: the write-up's 5 retries, exponential from 2 s (at most 10 s), scaled down 20× for this demo\n")

const started = performance.now()
// Each simulated instance stands for a process of its own: its own token cache (in one real
// process, every credential of one configuration shares one).
const instances = Array.from({ length: INSTANCES }, () =>
  makeGetSecretHandler({
    sharedTokenCache: false,
    environment: settings,
    retry: { maxRetries: 5, retryDelayInMs: 100, maxRetryDelayInMs: 500 },
    secretClientOptions: { tlsOptions: { ca: vault.ca } }
  })
)
const responses = await Promise.all(
  instances.flatMap((handler, i) =>
    Array.from({ length: INVOCATIONS }, (_, j) =>
      handler(
        new HttpRequest({
          method: "GET",
          url: "http://127.0.0.1:7071/api/secrets/db-connection",
          params: { name: "db-connection" }
        }),
        new InvocationContext({ functionName: "getSecret", invocationId: `instance-${i}-call-${j}` })
      )
    )
  )
)
const elapsed = Math.round(performance.now() - started)
await Promise.all(instances.map((handler) => handler.close()))

const byStatus = emulator.requests.counters().appservice?.byStatus ?? {}
const metrics = snapshot()
const ok = responses.filter((response) => response.status === 200).length
console.log(`✓ ${ok}/${responses.length} invocations answered 200 in ${elapsed} ms`)
console.log(`  token requests: ${byStatus["200"] ?? 0} answered, ${byStatus["503"] ?? 0} failed with 503 and retried`)
console.log(`  one token per instance: the credential's cache and single-flight served every other call`)
console.log(
  `  managed_identity.retries ${total(metrics, "managed_identity.retries")}, function_app.auth_errors ${total(metrics, "function_app.auth_errors")}`
)
console.log(`  Key Vault: ${vault.counts.challenged} challenges, ${vault.counts.served} secrets served`)
console.log(`  first answer: ${JSON.stringify(responses[0]?.jsonBody)}`)

await vault.close()
await emulator.close()
if (ok !== responses.length) {
  console.error("some invocations failed")
  process.exitCode = 1
}
