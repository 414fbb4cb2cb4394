import * as NodeContext from "@effect/platform-node/NodeContext"
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "@effect/vitest"
import { Emulator } from "@managed-identity/emulator"
import * as Effect from "effect/Effect"
import { Cli } from "../src/index.js"
import { describeRetry } from "../src/internal/progress.js"
import { ManagedIdentityError } from "@managed-identity/core"

let emulator: Emulator.Emulator
beforeAll(async () => {
  emulator = await Emulator.start()
})
afterAll(async () => {
  await emulator.close()
})
beforeEach(() => {
  emulator.faults.clear()
  emulator.requests.clear()
})

const loopback = (variables: Record<string, string>) => {
  for (const value of Object.values(variables)) {
    if (/^https?:/.test(value) && !/^https?:\/\/(127\.0\.0\.1|localhost)[:/]/.test(value)) {
      throw new Error(`not loopback: ${value}`)
    }
  }
  return variables
}

const run = async (args: ReadonlyArray<string>, environment: Record<string, string>, color = false) => {
  const out: Array<string> = []
  const err: Array<string> = []
  let exitCode = 0
  const io: Cli.Io = {
    out: (text) => void out.push(text),
    err: (text) => void err.push(text),
    color,
    environment: loopback(environment),
    setExitCode: (code) => {
      exitCode = code
    }
  }
  await Effect.runPromise(Cli.run(["node", "managed-identity", ...args], io).pipe(Effect.provide(NodeContext.layer)))
  return { out: out.join("\n"), err: err.join("\n"), exitCode }
}

describe("managed-identity token", () => {
  it("prints the source, expiry and claims, and hides the token", async () => {
    const result = await run(["token", "--loopback-only"], emulator.envFor("imds"))
    expect(result.exitCode).toBe(0)
    expect(result.out).toContain("IMDS")
    expect(result.out).toMatch(/aud\s+https:\/\/management\.azure\.com/)
    expect(result.out).toContain("token hidden")
    expect(result.out).not.toMatch(/eyJ[\w-]+\.eyJ/)
  })

  it("--json --show-token gives machines the token and the claims", async () => {
    const result = await run(
      ["token", "--loopback-only", "--json", "--show-token", "--resource", "https://vault.azure.net"],
      emulator.envFor("appservice")
    )
    const json = JSON.parse(result.out)
    expect(json.source).toBe("AppService")
    expect(json.claims.aud).toBe("https://vault.azure.net")
    expect(json.accessToken.split(".")).toHaveLength(3)
  })

  it("selects a user-assigned identity by client id", async () => {
    const user = emulator.identities.add({ kind: "user", name: "cli-user" })
    const result = await run(
      ["token", "--loopback-only", "--json", "--client-id", user.clientId],
      emulator.envFor("imds")
    )
    expect(JSON.parse(result.out).claims.oid).toBe(user.objectId)
  })

  it("shows progress while it retries", async () => {
    emulator.faults.add("imds:503x1")
    const result = await run(["token", "--loopback-only"], emulator.envFor("imds"))
    expect(result.exitCode).toBe(0)
    // 2 s with ±20% jitter
    expect(result.err).toMatch(/attempt 2\/6, next in (1\.[6-9]|2(\.[0-4])?) s, IMDS answered 503 — unavailable/)
  })

  it("explains a failure and exits non-zero", async () => {
    emulator.faults.add("imds:400x1")
    const result = await run(["token", "--loopback-only"], emulator.envFor("imds"))
    expect(result.exitCode).toBe(1)
    expect(result.err).toContain("error")
    expect(result.err).toContain("400")
  })
})

describe("managed-identity doctor", () => {
  it("reports a healthy host with the probe's timing", async () => {
    const result = await run(["doctor", "--loopback-only"], emulator.envFor("appservice"))
    expect(result.exitCode).toBe(0)
    expect(result.out).toContain("AppService")
    expect(result.out).toContain("IDENTITY_HEADER")
    expect(result.out).toContain("<redacted>")
    expect(result.out).not.toContain(emulator.secret)
    expect(result.out).toMatch(/ok a token for .* in \d+/)
    expect(result.out).toContain("healthy")
  })

  it("names a half-configured source and the failed probe, in JSON for machines", async () => {
    emulator.faults.add("imds:refuse~2s")
    const result = await run(["doctor", "--loopback-only", "--json"], {
      ...emulator.envFor("imds"),
      IDENTITY_ENDPOINT: `${emulator.url}/appservice/msi/token`
    })
    emulator.faults.clear()
    await emulator.faults.settled()
    const json = JSON.parse(result.out)
    expect(result.exitCode).toBe(1)
    expect(json.healthy).toBe(false)
    expect(json.source).toBe("IMDS")
    expect(JSON.stringify(json.warnings)).toContain("IDENTITY_HEADER")
    expect(json.probe.ok).toBe(false)
    expect(json.probe.error).toBe("Unavailable")
    expect(json.probe.advice.length).toBeGreaterThan(0)
  })

  it("fails closed: with no variables and --loopback-only, nothing is sent to the real IMDS", async () => {
    const result = await run(["doctor", "--loopback-only", "--json"], {})
    const json = JSON.parse(result.out)
    expect(json.probe.error).toBe("InvalidArgument")
    expect(json.probe.message).toContain("endpoint guard")
    expect(result.exitCode).toBe(1)
  })

  it("colours only when asked", async () => {
    const plain = await run(["doctor", "--loopback-only"], emulator.envFor("imds"))
    const coloured = await run(["doctor", "--loopback-only"], emulator.envFor("imds"), true)
    expect(plain.out).not.toContain("\u001b[")
    expect(coloured.out).toContain("\u001b[")
  })
})

describe("progress lines", () => {
  it("say the attempt, the wait and the cause", () => {
    const error = new ManagedIdentityError.Transient({
      source: "IMDS",
      reason: "status",
      status: 410,
      message: "IMDS answered 410",
      attempts: 2,
      elapsedMs: 2000
    })
    expect(describeRetry({ source: "IMDS", attempt: 3, maxAttempts: 6, delayMs: 6000, error })).toBe(
      "attempt 3/6, next in 6 s, IMDS answered 410 — updating"
    )
  })
})

it("rejects an unknown subcommand", async () => {
  await expect(run(["no-such-command"], {})).rejects.toBeDefined()
})
