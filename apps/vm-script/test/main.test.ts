/**
 * The smoke test: dist/main.js run as a VM's process would run it, with the variables pointing at
 * the emulator's IMDS and the stand-in ARM (both on 127.0.0.1).
 */
import { execFile } from "node:child_process"
import { fileURLToPath } from "node:url"
import { Emulator } from "@managed-identity/emulator"
import { ManagedIdentity } from "@managed-identity/core"
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest"
import { type ArmStandIn, startArmStandIn } from "../src/armStandIn.js"

const MAIN = fileURLToPath(new URL("../dist/main.js", import.meta.url))

let emulator: Emulator.Emulator
let arm: ArmStandIn
beforeAll(async () => {
  emulator = await Emulator.start()
  arm = await startArmStandIn(emulator.jwks)
})
afterAll(async () => {
  await arm?.close()
  await emulator?.close()
})
beforeEach(() => {
  emulator.faults.clear()
  emulator.requests.clear()
})

// Only what a process needs, plus the variables under test: nothing from this shell can point the
// script anywhere else.
const run = (variables: Record<string, string>) =>
  new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      [MAIN],
      { env: { PATH: process.env.PATH ?? "", ...variables }, timeout: 15_000 },
      (error, stdout, stderr) => {
        resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : 1, stdout, stderr })
      }
    )
  })

const local = () => {
  const variables: Record<string, string> = { ...emulator.envFor("imds"), ARM_ENDPOINT: arm.url }
  for (const name of ["AZURE_POD_IDENTITY_AUTHORITY_HOST", "ARM_ENDPOINT"]) {
    if (!ManagedIdentity.allowLoopbackOnly(new URL(variables[name]!))) throw new Error(`${name} is not loopback`)
  }
  return variables
}

describe("the VM walkthrough", () => {
  it("gets a token from IMDS and reads the VM's information from ARM with it", async () => {
    const { code, stdout, stderr } = await run(local())
    expect(stderr).toBe("")
    expect(code).toBe(0)
    expect(stdout).toMatch(/audience https:\/\/management\.azure\.com\/?\n/)
    const vm = JSON.parse(stdout.slice(stdout.indexOf("{")))
    expect(vm).toMatchObject({
      type: "Microsoft.Compute/virtualMachines",
      properties: { provisioningState: "Succeeded" }
    })
    expect(vm.id).toBe(emulator.identities.systemAssigned()?.resourceId)
    // One IMDS request, as the page describes it: GET, api-version, resource, Metadata: true.
    const [request] = emulator.requests.all("imds")
    expect(emulator.requests.count("imds")).toBe(1)
    expect(request).toMatchObject({ method: "GET", status: 200 })
    expect(request?.headers.metadata).toBe("true")
    expect(request?.query["api-version"]).toBe("2018-02-01")
    expect(request?.query.resource).toMatch(/^https:\/\/management\.azure\.com\/?$/)
    // The token itself is never printed.
    expect(stdout).not.toMatch(/eyJ[\w-]+\.[\w-]+/)
  })

  it("rides out IMDS updating (410) with the page's retry guidance", async () => {
    emulator.faults.add("imds:410x1")
    const { code, stdout } = await run(local())
    expect(code).toBe(0)
    expect(stdout).toContain("JSON returned from call to get VM info")
    expect(emulator.requests.counters().imds?.byStatus).toEqual({ "410": 1, "200": 1 })
  })

  it("explains a missing identity instead of printing a stack trace", async () => {
    const { code, stderr } = await run({ ...local(), AZURE_CLIENT_ID: "00000000-0000-0000-0000-00000000dead" })
    expect(code).toBe(1)
    expect(stderr).toMatch(/^vm-script: no token: CredentialUnavailableError: .*identity/im)
  })

  it("refuses to run unless IMDS and ARM are on this machine (fail closed)", async () => {
    const unset = await run({ ARM_ENDPOINT: arm.url })
    expect(unset.code).toBe(1)
    expect(unset.stderr).toMatch(/AZURE_POD_IDENTITY_AUTHORITY_HOST is not set/)
    const remote = await run({ AZURE_POD_IDENTITY_AUTHORITY_HOST: "http://169.254.169.254", ARM_ENDPOINT: arm.url })
    expect(remote.code).toBe(1)
    expect(remote.stderr).toMatch(/must point at 127\.0\.0\.1/)
    const realArm = await run({ ...emulator.envFor("imds"), ARM_ENDPOINT: "https://management.azure.com" })
    expect(realArm.code).toBe(1)
    expect(emulator.requests.count()).toBe(0)
  })
})
