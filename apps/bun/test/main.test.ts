/**
 * The smoke test: main.ts in the real Bun binary, pointed at the emulator's IMDS and a stand-in
 * ARM started here in Node.
 */
import { execFile } from "node:child_process"
import { fileURLToPath } from "node:url"
import { ManagedIdentity } from "@managed-identity/core"
import { ArmStandIn, Emulator } from "@managed-identity/emulator"
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest"

const root = fileURLToPath(new URL("..", import.meta.url))
const bun = fileURLToPath(new URL("../node_modules/.bin/bun", import.meta.url))
const BUN_FLAGS = ["run"]

let emulator: Emulator.Emulator
let arm: ArmStandIn.ArmStandIn
beforeAll(async () => {
  emulator = await Emulator.start()
  arm = await ArmStandIn.start(emulator.jwks)
})
afterAll(async () => {
  await arm?.close()
  await emulator?.close()
})
beforeEach(() => {
  emulator.faults.clear()
  emulator.requests.clear()
})

const run = (variables: Record<string, string>) =>
  new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      bun,
      [...BUN_FLAGS, "main.ts"],
      // Only what Bun needs, plus the variables under test: nothing from this shell leaks in.
      {
        cwd: root,
        env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", NO_COLOR: "1", ...variables },
        timeout: 15_000
      },
      (error, stdout, stderr) =>
        resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : 1, stdout, stderr })
    )
  })

/** The emulator's IMDS and the stand-in ARM, checked to be loopback before anything runs. */
const local = () => {
  const variables: Record<string, string> = { ...emulator.envFor("imds"), ARM_ENDPOINT: arm.url }
  for (const name of ["AZURE_POD_IDENTITY_AUTHORITY_HOST", "ARM_ENDPOINT"]) {
    if (!ManagedIdentity.allowLoopbackOnly(new URL(variables[name]!))) throw new Error(`${name} is not loopback`)
  }
  return variables
}

describe("the VM walkthrough on Bun", () => {
  it("gets a token from IMDS and reads the VM's information from ARM with it", async () => {
    const { code, stdout, stderr } = await run(local())
    expect(code, stderr).toBe(0)
    expect(stdout).toMatch(/^Bun \d+\.\d+\.\d+: /)
    expect(stdout).toMatch(/audience https:\/\/management\.azure\.com\/?\n/)
    const vm = JSON.parse(stdout.slice(stdout.indexOf("{")))
    expect(vm.id).toBe(emulator.identities.systemAssigned()?.resourceId)
    expect(vm.properties.provisioningState).toBe("Succeeded")
    expect(arm.counts.served).toBeGreaterThan(0)
    const requests = emulator.requests.all("imds")
    expect(requests).toHaveLength(1)
    expect(requests[0]?.headers.metadata).toBe("true")
    expect(stdout + stderr).not.toMatch(/eyJ[\w-]+\.[\w-]+/)
  })

  it("retries IMDS's 503 on the page's schedule", async () => {
    emulator.faults.add("imds:503x1")
    const { code, stderr } = await run(local())
    expect(code, stderr).toBe(0)
    expect(emulator.requests.counters().imds?.byStatus).toEqual({ "503": 1, "200": 1 })
  })

  it("refuses to run unless IMDS and ARM are on this machine (fail closed)", async () => {
    const unset = await run({ ARM_ENDPOINT: arm.url })
    expect(unset.code).toBe(1)
    expect(unset.stderr).toMatch(/AZURE_POD_IDENTITY_AUTHORITY_HOST is not set/)
    const remote = await run({ AZURE_POD_IDENTITY_AUTHORITY_HOST: "http://169.254.169.254", ARM_ENDPOINT: arm.url })
    expect(remote.code).toBe(1)
    expect(remote.stderr).toMatch(/must point at 127\.0\.0\.1/)
    expect(emulator.requests.count()).toBe(0)
  })
})
