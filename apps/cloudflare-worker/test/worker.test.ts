/**
 * The smoke test: the bundled Worker in workerd (through miniflare), its bindings pointing at the
 * emulator's App Service endpoint and a stand-in ARM, both on 127.0.0.1.
 */
import { readFile } from "node:fs/promises"
import { ManagedIdentity } from "@managed-identity/core"
import { ArmStandIn, Emulator } from "@managed-identity/emulator"
import { Miniflare } from "miniflare"
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest"
import { build } from "../build.mjs"

let emulator: Emulator.Emulator
let arm: ArmStandIn.ArmStandIn
let miniflare: Miniflare

/** App Service's variables and the stand-in ARM as bindings, checked to be loopback (fail closed). */
const bindings = (extra: Record<string, string> = {}) => {
  const all: Record<string, string> = { ...emulator.envFor("appservice"), ARM_ENDPOINT: arm.url, ...extra }
  for (const name of ["IDENTITY_ENDPOINT", "ARM_ENDPOINT"]) {
    if (!ManagedIdentity.allowLoopbackOnly(new URL(all[name]!))) throw new Error(`${name} is not loopback`)
  }
  return all
}

beforeAll(async () => {
  emulator = await Emulator.start()
  arm = await ArmStandIn.start(emulator.jwks)
  miniflare = new Miniflare({
    modules: true,
    script: await readFile(await build(), "utf8"),
    compatibilityDate: "2025-07-01",
    bindings: bindings()
  })
  await miniflare.ready
})
afterAll(async () => {
  await miniflare?.dispose()
  await arm?.close()
  await emulator?.close()
})
beforeEach(() => {
  emulator.faults.clear()
  emulator.requests.clear()
})

const get = async (path: string) => {
  const response = await miniflare.dispatchFetch(`http://worker${path}`)
  return { status: response.status, body: (await response.json()) as Record<string, any> }
}

describe("the Worker", () => {
  it("gets a token from its bindings' endpoint and calls ARM with it; the isolate caches the token", async () => {
    const whoami = await get("/whoami")
    expect(whoami.status).toBe(200)
    expect(whoami.body.objectId).toBe(emulator.identities.systemAssigned()?.objectId)
    const resource = await get("/resource")
    expect(resource.status).toBe(200)
    expect(resource.body).toMatchObject({
      id: emulator.identities.systemAssigned()?.resourceId,
      properties: { provisioningState: "Succeeded" }
    })
    // One token request for both calls; App Service's protocol, secret header sent (and redacted in the log).
    const requests = emulator.requests.all("appservice")
    expect(requests).toHaveLength(1)
    expect(requests[0]?.query["api-version"]).toBe("2019-08-01")
    expect(requests[0]?.headers["x-identity-header"]).toBe("[REDACTED]")
    expect(JSON.stringify([whoami.body, resource.body])).not.toMatch(/eyJ[\w-]+\.[\w-]+/)
  })

  it("explains a source an edge runtime cannot use, without sending anything", async () => {
    await miniflare.setOptions({
      modules: true,
      script: await readFile(await build(), "utf8"),
      compatibilityDate: "2025-07-01",
      // Workload identity needs its token file: Workers have no file system.
      bindings: {
        ARM_ENDPOINT: arm.url,
        AZURE_AUTHORITY_HOST: emulator.url,
        AZURE_FEDERATED_TOKEN_FILE: "/var/run/secrets/azure/tokens/azure-identity-token",
        AZURE_CLIENT_ID: "00000000-0000-0000-0000-0000000000c1",
        AZURE_TENANT_ID: emulator.tenantId
      }
    })
    const response = await get("/whoami")
    expect(response.status).toBe(503)
    expect(response.body).toMatchObject({ error: "CredentialUnavailableError" })
    expect(response.body.message).toMatch(/no file system/)
    expect(emulator.requests.count()).toBe(0)
  })

  it("refuses endpoint bindings that are not on 127.0.0.1 (fail closed)", async () => {
    await miniflare.setOptions({
      modules: true,
      script: await readFile(await build(), "utf8"),
      compatibilityDate: "2025-07-01",
      bindings: { IDENTITY_ENDPOINT: "http://169.254.169.254/msi/token", IDENTITY_HEADER: "x", ARM_ENDPOINT: arm.url }
    })
    const response = await get("/whoami")
    expect(response.status).toBe(500)
    expect(response.body.error).toMatch(/IDENTITY_ENDPOINT must point at 127\.0\.0\.1/)
    expect(emulator.requests.count()).toBe(0)
  })
})
