/**
 * The Deno layer in the real Deno binary: a missing permission is an error naming the flag to add
 * (and nothing reaches the emulator), and plain-HTTP endpoints never go through `HTTP_PROXY`.
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { Emulator } from "@managed-identity/emulator"
import { fileURLToPath } from "node:url"
import * as Harness from "@managed-identity/conformance/Harness"
import type * as Suite from "@managed-identity/conformance/Suite"

const root = fileURLToPath(new URL("..", import.meta.url))
const deno = fileURLToPath(new URL("../node_modules/.bin/deno", import.meta.url))

let emulator: Emulator.Emulator
let setup: Suite.Setup

const run = async (permissions: ReadonlyArray<string>, mode: string, env: Record<string, string> = {}) => {
  const outcome = await Harness.execute(
    deno,
    [
      "run",
      "--no-check",
      "--no-prompt",
      "--node-modules-dir=manual",
      "--sloppy-imports",
      ...permissions,
      "test/deno/adapter.ts",
      mode,
      JSON.stringify(setup)
    ],
    { cwd: root, env }
  )
  const line = outcome.stdout.trim().split("\n").at(-1) ?? ""
  expect(outcome.code, outcome.stderr).toBe(0)
  return JSON.parse(line) as Record<string, any>
}

beforeAll(async () => {
  emulator = await Emulator.start(Harness.emulatorOptions)
  setup = await Harness.setupFor(emulator)
})

afterAll(async () => {
  await emulator?.close()
})

describe("DenoManagedIdentity: permissions", () => {
  it("without --allow-env the environment layer names the flag", async () => {
    const report = await run([], "environment")
    expect(report.error).toContain("--allow-env")
    expect(report.error).toContain("IDENTITY_ENDPOINT")
  })

  it("with --allow-env for some variables only, those are read", async () => {
    const report = await run(["--allow-env=IDENTITY_ENDPOINT,IDENTITY_HEADER"], "environment", {
      IDENTITY_ENDPOINT: "http://127.0.0.1:1/msi/token",
      IDENTITY_HEADER: "header-value",
      MSI_ENDPOINT: "http://127.0.0.1:2/msi/token"
    })
    expect(report.variables).toEqual({
      IDENTITY_ENDPOINT: "http://127.0.0.1:1/msi/token",
      IDENTITY_HEADER: "header-value"
    })
  })

  it("without --allow-net the credential names the flag and the host, and sends nothing", async () => {
    const report = await run([], "token")
    const port = new URL(emulator.url).port
    expect(report.imds).toBe(
      `CredentialUnavailableError: ManagedIdentityCredential: IMDS: Deno may not connect to 127.0.0.1:${port}; run with --allow-net=127.0.0.1:${port} (or --allow-net)`
    )
    expect(emulator.requests.count()).toBe(0)
  })

  it("without --allow-read, workload identity and Azure Arc name the flag and the path, and send nothing", async () => {
    const report = await run(["--allow-net=127.0.0.1"], "token")
    const tokenFile = setup.environments.workloadidentity.AZURE_FEDERATED_TOKEN_FILE
    expect(report.workloadidentity).toContain(`--allow-read=${tokenFile}`)
    expect(report.workloadidentity).toMatch(/^CredentialUnavailableError: /)
    expect(report.arc).toContain(`--allow-read=${setup.keyDirectory}`)
    // IMDS needs no file and got its token.
    expect(report.imds).toBe("no error")
    expect(emulator.requests.count("entra")).toBe(0)
    expect(emulator.requests.count("arc")).toBe(0)
  })
})

describe("DenoManagedIdentity: proxies", () => {
  it("reaches plain-HTTP endpoints directly even when HTTP_PROXY points at a dead proxy", async () => {
    const proxy = `http://127.0.0.1:${await Harness.closedPort()}`
    const before = emulator.requests.count()
    const report = await run(
      [`--allow-net=127.0.0.1`, `--allow-read=${Harness.readablePaths(setup).join(",")}`],
      "token",
      { HTTP_PROXY: proxy, http_proxy: proxy, ALL_PROXY: proxy }
    )
    expect(report).toEqual({ imds: "no error", workloadidentity: "no error", arc: "no error" })
    // IMDS 1, workload identity 1, Azure Arc 2 (challenge, then the key).
    expect(emulator.requests.count() - before).toBe(4)
  })
})
