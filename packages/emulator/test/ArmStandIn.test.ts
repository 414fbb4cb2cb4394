import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { ArmStandIn, Emulator } from "../src/index.js"

let emulator: Emulator.Emulator
let arm: ArmStandIn.ArmStandIn
beforeAll(async () => {
  emulator = await Emulator.start()
  arm = await ArmStandIn.start(emulator.jwks)
})
afterAll(async () => {
  await arm.close()
  await emulator.close()
})

const tokenFor = async (resource: string) => {
  const url = new URL(`${emulator.url}/metadata/identity/oauth2/token`)
  url.searchParams.set("api-version", "2018-02-01")
  url.searchParams.set("resource", resource)
  const response = await fetch(url, { headers: { Metadata: "true" } })
  return ((await response.json()) as { access_token: string }).access_token
}

const VM = "/subscriptions/0000/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm1"

describe("ArmStandIn", () => {
  it("answers a VM for a token the emulator signed for ARM", async () => {
    const response = await fetch(`${arm.url}${VM}`, {
      headers: { Authorization: `Bearer ${await tokenFor("https://management.azure.com/")}` }
    })
    expect(response.status).toBe(200)
    expect(((await response.json()) as { name: string }).name).toBe("vm1")
    expect(arm.counts.served).toBe(1)
  })

  it("refuses no token, a token for another audience and a forged signature", async () => {
    const vault = await tokenFor("https://vault.azure.net")
    const arm1 = await tokenFor("https://management.azure.com/")
    const [h, p] = arm1.split(".")
    for (const authorization of [undefined, `Bearer ${vault}`, `Bearer ${h}.${p}.AAAA`]) {
      const response = await fetch(
        `${arm.url}${VM}`,
        authorization ? { headers: { Authorization: authorization } } : {}
      )
      expect(response.status).toBe(401)
    }
    expect(arm.counts.refused).toBe(3)
  })
})
