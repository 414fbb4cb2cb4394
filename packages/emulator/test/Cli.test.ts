import { execFile } from "node:child_process"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"
import { Cli } from "../src/index.js"
import { fetchJson, send } from "./loopback.js"

const parseExports = (text: string): Record<string, string> =>
  Object.fromEntries(
    [...text.matchAll(/^export ([A-Z_]+)='((?:[^']|'\\'')*)'$/gm)].map(([, name, value]) => [
      name!,
      value!.replace(/'\\''/g, "'")
    ])
  )

describe("Cli.parseArguments", () => {
  it("reads ports, identities, faults and options", () => {
    const parsed = Cli.parseArguments([
      "--port",
      "8080",
      "--https-port",
      "8443",
      "--identity",
      "user:clientId=c1,objectId=o1",
      "--identity",
      "user:name=second",
      "--fault",
      "imds:410x2",
      "--fault",
      "imds:503@0.16",
      "--lifetime",
      "600",
      "--tenant",
      "t1",
      "--legacy-expires-on",
      "seconds"
    ])
    expect(parsed).toEqual({
      options: {
        identities: [
          { kind: "system" },
          { kind: "user", clientId: "c1", objectId: "o1" },
          { kind: "user", name: "second" }
        ],
        faults: ["imds:410x2", "imds:503@0.16"],
        port: 8080,
        httpsPort: 8443,
        tokenLifetimeSeconds: 600,
        tenantId: "t1",
        legacyExpiresOn: "seconds"
      },
      foreground: false,
      help: false
    })
  })

  it("takes --print-env with or without a source", () => {
    expect(Cli.parseArguments(["--print-env"])).toMatchObject({ printEnv: "imds" })
    expect(Cli.parseArguments(["--print-env", "--foreground"])).toMatchObject({ printEnv: "imds", foreground: true })
    expect(Cli.parseArguments(["--print-env", "AzureArc"])).toMatchObject({ printEnv: "arc" })
    expect(Cli.parseArguments(["--print-env=appservice"])).toMatchObject({ printEnv: "appservice" })
  })

  it("leaves out the system identity on request", () => {
    expect(Cli.parseArguments(["--no-system-identity", "--identity", "user"])).toMatchObject({
      options: { identities: [{ kind: "user" }] }
    })
  })

  it.each([
    [["--port", "eighty"], /--port must be a whole number/],
    [["--fault", "imds:teapot"], /unknown action/],
    [["--identity", "robot"], /Invalid identity/],
    [["--print-env=moon"], /unknown source "moon"/],
    [["--legacy-expires-on", "iso"], /date or seconds/],
    [["--colour"], /Unknown option/]
  ])("rejects %j", (argv, message) => {
    expect(Cli.parseArguments(argv)).toMatch(message)
  })
})

describe("Cli.formatEnv", () => {
  it("single-quotes values for eval", () => {
    expect(Cli.formatEnv({ A: "http://127.0.0.1:1", B: "it's" })).toBe(
      "export A='http://127.0.0.1:1'\nexport B='it'\\''s'\n"
    )
    expect(parseExports(Cli.formatEnv({ B: "it's" }))).toEqual({ B: "it's" })
  })
})

describe("Cli.main", () => {
  const capture = () => {
    let stdout = ""
    let stderr = ""
    return {
      io: {
        stdout: (text: string) => {
          stdout += text
        },
        stderr: (text: string) => {
          stderr += text
        }
      },
      stdout: () => stdout,
      stderr: () => stderr
    }
  }

  it("prints usage for --help and exits 2 on bad arguments", async () => {
    const help = capture()
    expect(await Cli.main(["--help"], help.io)).toBe(0)
    expect(help.stdout()).toContain("Usage: managed-identity-emulator")
    const bad = capture()
    expect(await Cli.main(["--port", "x"], bad.io)).toBe(2)
    expect(bad.stderr()).toMatch(/--port must be a whole number[\s\S]*Usage:/)
    const host = capture()
    expect(await Cli.main(["--port", "99999"], host.io)).toBe(1)
  })

  it("--print-env --foreground prints working exports, serves until stopped", async () => {
    const out = capture()
    const stop = new AbortController()
    const exitCode = Cli.main(["--print-env", "appservice", "--foreground", "--fault", "appservice:503x1"], {
      ...out.io,
      signal: stop.signal
    })
    await expect.poll(() => out.stdout()).toContain(Cli.readyLine)
    const env = parseExports(out.stdout())
    expect(Object.keys(env).sort()).toEqual([
      "IDENTITY_ENDPOINT",
      "IDENTITY_HEADER",
      "MANAGED_IDENTITY_EMULATOR_PID",
      "MANAGED_IDENTITY_EMULATOR_URL"
    ])
    expect(new URL(env.IDENTITY_ENDPOINT!).hostname).toBe("127.0.0.1")
    const url = `${env.IDENTITY_ENDPOINT}?api-version=2019-08-01&resource=https://vault.azure.net`
    const headers = { "X-IDENTITY-HEADER": env.IDENTITY_HEADER! }
    expect((await fetchJson(url, { headers })).status).toBe(503)
    expect((await fetchJson(url, { headers })).json.token_type).toBe("Bearer")
    stop.abort()
    expect(await exitCode).toBe(0)
    expect(await send(url, { headers })).toEqual({ error: "ECONNREFUSED" })
  })

  it("without --print-env tells where it listens, on stderr", async () => {
    const out = capture()
    const stop = new AbortController()
    const exitCode = Cli.main(["--identity", "user:clientId=55555555-5555-5555-5555-555555555555"], {
      ...out.io,
      signal: stop.signal
    })
    await expect.poll(() => out.stderr()).toContain("Press Ctrl+C")
    expect(out.stderr()).toMatch(/listening on http:\/\/127\.0\.0\.1:\d+/)
    expect(out.stderr()).toContain("user 55555555-5555-5555-5555-555555555555")
    const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out.stderr())![1]!
    const refused = await fetchJson(`${url}/admin/env?source=appservice`, { headers: { host: "attacker.example" } })
    expect(refused.status).toBe(421)
    expect(out.stderr()).toMatch(
      /managed-identity-emulator: refused GET \/admin\/env \(421\): Host "attacker\.example" does not name this emulator/
    )
    expect(out.stdout()).toBe("")
    stop.abort()
    expect(await exitCode).toBe(0)
  })

  // The package builds before its tests (turbo.json), so the bin is there.
  const bin = fileURLToPath(new URL("../dist/bin.js", import.meta.url))
  it("the built bin runs in the background for eval and stops on SIGTERM", async () => {
    const stdout = await new Promise<string>((resolve, reject) =>
      execFile(process.execPath, [bin, "--print-env"], { timeout: 15_000 }, (error, out) =>
        error === null ? resolve(out) : reject(error)
      )
    )
    const env = parseExports(stdout)
    const pid = Number(env.MANAGED_IDENTITY_EMULATOR_PID)
    try {
      expect(new URL(env.AZURE_POD_IDENTITY_AUTHORITY_HOST!).hostname).toBe("127.0.0.1")
      const token = await fetchJson(
        `${env.AZURE_POD_IDENTITY_AUTHORITY_HOST}/metadata/identity/oauth2/token?api-version=2018-02-01&resource=https://vault.azure.net`,
        { headers: { Metadata: "true" } }
      )
      expect(token.status).toBe(200)
    } finally {
      process.kill(pid, "SIGTERM")
    }
    await expect
      .poll(() => send(`${env.MANAGED_IDENTITY_EMULATOR_URL}/admin`), { timeout: 5_000 })
      .toEqual({ error: "ECONNREFUSED" })
  })
})
