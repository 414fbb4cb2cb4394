// `pnpm start`: the Worker in workerd (through miniflare) with no Azure account. Starts the
// emulator (App Service's identity endpoint) and a stand-in ARM here in Node on 127.0.0.1, bundles
// the Worker, gives it the endpoint's variables as bindings, and sends it a few requests.
import { readFile } from "node:fs/promises"
import { ManagedIdentity } from "@managed-identity/core"
import { ArmStandIn, Emulator } from "@managed-identity/emulator"
import { Miniflare } from "miniflare"
import { build } from "./build.mjs"

const emulator = await Emulator.start()
const arm = await ArmStandIn.start(emulator.jwks)
/** @type {Record<string, string>} */
const bindings = { ...emulator.envFor("appservice"), ARM_ENDPOINT: arm.url }
// Fail closed: nothing but 127.0.0.1 goes into the Worker's bindings.
for (const name of ["IDENTITY_ENDPOINT", "ARM_ENDPOINT"]) {
  if (!ManagedIdentity.allowLoopbackOnly(new URL(String(bindings[name])))) {
    throw new Error(`${name} is not on 127.0.0.1`)
  }
}
console.log(`emulator (App Service endpoint) ${emulator.url}, stand-in ARM ${arm.url}`)

const miniflare = new Miniflare({
  modules: true,
  script: await readFile(await build(), "utf8"),
  compatibilityDate: "2025-07-01",
  bindings
})
for (const path of ["/whoami", "/whoami", "/resource"]) {
  const response = await miniflare.dispatchFetch(`http://worker${path}`)
  console.log(`\nGET ${path} → ${response.status}\n${JSON.stringify(await response.json(), null, 2)}`)
}
console.log(
  `\ntoken requests to the emulator: ${emulator.requests.count("appservice")} (the isolate's cache served the rest)`
)
await miniflare.dispose()
await arm.close()
await emulator.close()
