import * as NodeContext from "@effect/platform-node/NodeContext"
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "@effect/vitest"
import { Emulator } from "@managed-identity/emulator"
import * as Effect from "effect/Effect"
import { Cli } from "../src/index.js"
import { describeRetry } from "../src/internal/progress.js"
import { ManagedIdentityError } from "@managed-identity/core"
import * as Hostile from "./support/hostileEndpoint.js"

let emulator: Emulator.Emulator
let hostile: Hostile.HostileEndpoint
beforeAll(async () => {
  emulator = await Emulator.start()
  hostile = await Hostile.start()
})
afterAll(async () => {
  await emulator.close()
  await hostile.close()
})
beforeEach(() => {
  emulator.faults.clear()
  emulator.requests.clear()
  hostile.answer()
})

const loopback = (variables: Record<string, string>) => {
  for (const value of Object.values(variables)) {
    if (/^https?:/.test(value) && !/^https?:\/\/(127\.0\.0\.1|localhost|\[::ffff:127\.0\.0\.1\])[:/]/.test(value)) {
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

describe("text from outside is shown, never obeyed", () => {
  // An IMDS stand-in on loopback whose answers carry terminal sequences (test/support/hostileEndpoint.ts).
  const environment = () => ({ AZURE_POD_IDENTITY_AUTHORITY_HOST: hostile.url })
  // What a person reads: nothing a terminal would act on, and where the sequences were, their escapes.
  const expectInert = (text: string) => {
    expect(text).not.toMatch(Hostile.rawUnsafe)
  }
  const expectShownEscaped = (text: string) => {
    expect(text).toContain("\\x1b]0;pwned\\x07") // OSC 0 (retitle), ESC ... BEL
    expect(text).toContain("\\x9b32m") // C1 CSI
  }

  it("token: the resource, the token type, every claim and the progress lines", async () => {
    hostile.answer(Hostile.errorAnswer(503), Hostile.tokenAnswer)
    const result = await run(["token", "--loopback-only"], environment())
    expect(result.exitCode).toBe(0)
    expect(result.err).toMatch(/attempt 2\/\d, next in .* IMDS answered 503/)
    expectInert(result.out)
    expectInert(result.err)
    expectShownEscaped(result.out)
    expect(result.out).toContain("\\x1b]52;c;cHduZWQ=\\x1b\\") // OSC 52 (clipboard), ended by ESC \
    expect(result.out).toContain("\\x9d0;pwned\\x9c") // C1 OSC
    expect(result.out).toContain("\\x1bP1$qm") // DCS
    expect(result.out).toContain("\\x90q\\x9c") // C1 DCS
    expect(result.out).toContain("\\u202egnp.exe\\u202c\\u2066x\\u2069") // bidi override and isolates
    expect(result.out).toContain("\\x0d\\x1b[32mhealthy\\x1b[0m\\x0a") // a fake line stays on ours
    expect(result.out).toMatch(/resource\s+https:\/\/management\.azure\.com\/\n/) // core did not believe the endpoint's
    expect(result.out).toMatch(/type\s+Bearer\\x9b32m/)
    expect(result.out).toMatch(/oid\s+\\x9b32m/)
    expect(result.out).toMatch(/appid\s+\\x1b\]0;pwned\\x07/)
    expect(result.out).toMatch(/xms_mirid\s+\/subscriptions\/\\x90q\\x9c\\x85\\u200b\\u200e\\u2028\\ufeff/)
  })

  it("token --json: every control, bidi and invisible character as \\uXXXX, the values unchanged", async () => {
    const result = await run(["token", "--loopback-only", "--json", "--show-token"], environment())
    expect(result.exitCode).toBe(0)
    expectInert(result.out)
    expect(result.out).toContain("\\u009b32m")
    expect(result.out).toContain("\\u009d0;pwned\\u009c")
    expect(result.out).toContain("\\u202egnp.exe")
    expect(result.out).toContain("\\u0085\\u200b\\u200e\\u2028\\ufeff")
    const json = JSON.parse(result.out)
    expect(json.resource).toBe("https://management.azure.com/")
    expect(json.tokenType).toBe(`Bearer${Hostile.sequences.c1Colour}`)
    expect(json.claims).toEqual(Hostile.hostileClaims)
    expect(json.accessToken).toBe(Hostile.hostileJwt)
  })

  it("token: an error body's sequences neither in the message nor in the advice, in text or JSON", async () => {
    // invalid_resource: a request mistake, so IMDS's 400 is Rejected and its description is quoted in the advice.
    hostile.answer(Hostile.errorAnswer(400, "invalid_resource"))
    const text = await run(["token", "--loopback-only"], environment())
    expect(text.exitCode).toBe(1)
    expectInert(text.out)
    expectInert(text.err)
    expect(text.err).toContain("pwned")
    expect(text.err).toContain("gnp.exe")

    hostile.answer(Hostile.errorAnswer(400, "invalid_resource"))
    const json = await run(["token", "--loopback-only", "--json"], environment())
    expect(json.exitCode).toBe(1)
    expectInert(json.out)
    expect(JSON.parse(json.out).error).toBe("Rejected")
  })

  it("doctor: the probe's resource, the variables table, and one healthy line: ours", async () => {
    const result = await run(["doctor", "--loopback-only"], {
      ...environment(),
      DEFAULT_IDENTITY_CLIENT_ID: `client${Hostile.hostileText}`
    })
    expect(result.exitCode).toBe(0)
    expectInert(result.out)
    expectInert(result.err)
    // Core's diagnosis already drops the controls from a variable's value; the words stay.
    expect(result.out).toMatch(/DEFAULT_IDENTITY_CLIENT_ID\s+client.*pwned.*gnp\.exe/)
    expect(result.out).toMatch(/ok a token for https:\/\/management\.azure\.com\//)
    // What a terminal would draw as a line of its own saying "healthy": only the verdict.
    // biome-ignore lint/suspicious/noControlCharactersInRegex: removing colour codes is the point
    const drawn = (line: string) => line.replace(/\u001b\[[\d;]*m|\r/g, "").trim()
    expect(result.out.split("\n").filter((line) => drawn(line) === "healthy")).toEqual(["healthy"])
  })

  it("doctor: a failed probe's explanation", async () => {
    hostile.answer(Hostile.errorAnswer(403))
    const result = await run(["doctor", "--loopback-only"], environment())
    expect(result.exitCode).toBe(1)
    expect(result.out).toContain("failed")
    expect(result.out).toContain("gnp.exe")
    expectInert(result.out)
    expectInert(result.err)
  })

  it("doctor --json: escaped, with the values unchanged", async () => {
    const ok = await run(["doctor", "--loopback-only", "--json"], {
      ...environment(),
      DEFAULT_IDENTITY_CLIENT_ID: `client${Hostile.sequences.c1Colour}`
    })
    expectInert(ok.out)
    const json = JSON.parse(ok.out)
    expect(json.healthy).toBe(true)
    expect(json.probe.resource).toBe("https://management.azure.com/")

    hostile.answer(Hostile.errorAnswer(403))
    const failed = await run(["doctor", "--loopback-only", "--json"], environment())
    expectInert(failed.out)
    expect(JSON.parse(failed.out).probe.error).toBe("Rejected")
  })

  it("in colour, the only escape sequences are the CLI's own colours", async () => {
    hostile.answer(Hostile.errorAnswer(503), Hostile.tokenAnswer)
    const token = await run(["token", "--loopback-only"], environment(), true)
    const doctor = await run(["doctor", "--loopback-only"], environment(), true)
    for (const text of [token.out, token.err, doctor.out]) {
      expect(text).toContain("\u001b[")
      // biome-ignore lint/suspicious/noControlCharactersInRegex: removing the CLI's own colour codes is the point
      const withoutOurColours = text.replace(/\u001b\[(?:1|2|22|31|32|33|36|39)m/g, "")
      expect(withoutOurColours).not.toMatch(Hostile.rawUnsafe)
    }
    expectShownEscaped(token.out)
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

describe("token age", () => {
  const environment = () => ({ AZURE_POD_IDENTITY_AUTHORITY_HOST: hostile.url })
  // A token the endpoint issued `minutes` ago, as an endpoint answers from its own cache.
  const issuedAgo = (minutes: number) => {
    const iat = Math.floor(Date.now() / 1000) - minutes * 60
    const claims = { aud: "https://management.azure.com/", oid: "0b1c", iat, exp: iat + 86_400 }
    return {
      iat,
      iso: new Date(iat * 1000).toISOString(),
      shown: new Date(iat * 1000).toISOString().replace(".000Z", "Z"),
      answer: Hostile.tokenAnswerWith(Hostile.jwt(claims))
    }
  }

  it("token: says how old the token is, when it was issued and what that means for permissions", async () => {
    const token = issuedAgo(12)
    hostile.answer(token.answer)
    const result = await run(["token", "--loopback-only"], environment())
    expect(result.exitCode).toBe(0)
    expect(result.out).toContain(`issued    12 min ago (${token.shown})`)
    expect(result.out).toMatch(
      /A token carries the permissions of when it was issued: a role granted since then appears after the next refresh \(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ, in \d+ min\)\./
    )
  })

  it("token --json: issuedOn and ageSeconds", async () => {
    const token = issuedAgo(12)
    hostile.answer(token.answer)
    const json = JSON.parse((await run(["token", "--loopback-only", "--json"], environment())).out)
    expect(json.issuedOn).toBe(token.iso)
    // 720 s, and the few seconds the run took at most.
    expect(json.ageSeconds).toBeGreaterThanOrEqual(720)
    expect(json.ageSeconds).toBeLessThan(730)
  })

  it("an opaque token (or a JWT without iat) has no age: null in JSON, unknown for people", async () => {
    hostile.answer(Hostile.tokenAnswerWith("opaque-token-value"))
    const json = JSON.parse((await run(["token", "--loopback-only", "--json"], environment())).out)
    expect(json.issuedOn).toBeNull()
    expect(json.ageSeconds).toBeNull()
    hostile.answer(Hostile.tokenAnswerWith(Hostile.jwt({ aud: "https://management.azure.com/" })))
    const text = await run(["token", "--loopback-only"], environment())
    expect(text.exitCode).toBe(0)
    expect(text.out).toContain("issued    unknown (the token carries no iat claim)")
  })

  it("a token issued after now says whose clock is behind", async () => {
    hostile.answer(issuedAgo(-3).answer)
    const result = await run(["token", "--loopback-only"], environment())
    expect(result.out).toMatch(
      /issued {4}(3 min|1\d\d s) in the future \(this machine's clock is behind the token issuer's\)/
    )
  })

  it("doctor: the probe's token age, that the endpoint answered from its cache, and the JSON fields", async () => {
    const token = issuedAgo(12)
    hostile.answer(token.answer)
    const text = await run(["doctor", "--loopback-only"], environment())
    expect(text.exitCode).toBe(0)
    expect(text.out).toContain(`, issued 12 min ago (${token.shown}), expires `)
    expect(text.out).toContain(
      "The endpoint answered this uncached request with a token it issued 12 min ago, from its own cache."
    )
    expect(text.out).toContain("A token carries the permissions of when it was issued")

    hostile.answer(token.answer)
    const json = JSON.parse((await run(["doctor", "--loopback-only", "--json"], environment())).out)
    expect(json.probe).toMatchObject({ ok: true, issuedOn: token.iso })
    expect(json.probe.ageSeconds).toBeGreaterThanOrEqual(720)
    expect(json.probe.ageSeconds).toBeLessThan(730)
    expect(Date.parse(json.probe.refreshOn)).toBeLessThanOrEqual(Date.parse(json.probe.expiresOn))
  })

  it("doctor: a token the endpoint has just issued is not said to come from its cache", async () => {
    const result = await run(["doctor", "--loopback-only"], emulator.envFor("appservice"))
    expect(result.exitCode).toBe(0)
    expect(result.out).toMatch(/, issued (less than a second|\d+ s) ago \(/)
    expect(result.out).not.toContain("from its own cache")
  })
})

describe("doctor: what a claims challenge (CAE) can do on the detected source", () => {
  const claimsOf = async (environment: Record<string, string>) => {
    const json = JSON.parse((await run(["doctor", "--loopback-only", "--json"], environment)).out)
    const text = await run(["doctor", "--loopback-only"], environment)
    return { json: json.claimsChallenge, line: text.out.split("\n").find((line) => line.startsWith("claims")) }
  }

  it("IMDS and App Service: the endpoint's own cache may hand the same token back", async () => {
    for (const source of ["imds", "appservice"] as const) {
      const { json, line } = await claimsOf(emulator.envFor(source))
      expect(json.support).toBe("none")
      expect(line).toMatch(
        /^claims {4}A claims challenge \(CAE\) cannot make the (IMDS|AppService) endpoint bypass its own token cache/
      )
      expect(line).toContain("a revoked or re-scoped token can come back")
      expect(json.explanation).toBe(line?.replace(/^claims {4}/, ""))
    }
  })

  it("Service Fabric: the rejected token's SHA-256 makes the endpoint mint a new one", async () => {
    const { json, line } = await claimsOf(emulator.envFor("servicefabric"))
    expect(json.support).toBe("revocation")
    expect(line).toContain("sends the rejected token's SHA-256 (token_sha256_to_refresh)")
  })

  it("workload identity: Entra mints a token with the claims", async () => {
    const { json, line } = await claimsOf(emulator.envFor("workloadidentity"))
    expect(json.support).toBe("entra")
    expect(line).toContain("passes the claims to Microsoft Entra")
  })
})

describe("who answered instead of the endpoint", () => {
  const environment = () => ({ AZURE_POD_IDENTITY_AUTHORITY_HOST: hostile.url })

  it("Docker Desktop's own 403 for 169.254.169.254: plain text, no Server header", async () => {
    const dockerDesktop: Hostile.Answer = {
      status: 403,
      headers: { "content-type": "text/plain; charset=utf-8" },
      body: "connecting to 169.254.169.254:80: connecting to 169.254.169.254:80: dial tcp 169.254.169.254:80: connectex: A socket operation was attempted to an unreachable network."
    }
    hostile.answer(dockerDesktop)
    const text = await run(["token", "--loopback-only"], environment())
    expect(text.exitCode).toBe(1)
    expect(text.err).toContain("A socket operation was attempted to an unreachable network.")
    expect(text.err).toMatch(/^ {2}likely A 403 in plain text with no Server header is how Docker Desktop answers/m)
    expect(hostile.received()).toBe(1) // not retried: a chain moves on

    hostile.answer(dockerDesktop)
    const json = JSON.parse((await run(["doctor", "--loopback-only", "--json"], environment())).out)
    expect(json.probe).toMatchObject({
      error: "Unavailable",
      reason: "not-the-endpoint",
      evidence: { status: 403, body: "text", contentType: "text/plain; charset=utf-8" }
    })
    expect(json.probe.likely).toContain("Docker Desktop")
  })

  it("a proxy's HTML 403 names its server; a 407 is a proxy that wants credentials", async () => {
    const page = "<!DOCTYPE html><html><body><h1>Access Denied</h1></body></html>"
    hostile.answer({ status: 403, headers: { server: "squid/6.10", "content-type": "text/html" }, body: page })
    const html = await run(["doctor", "--loopback-only"], environment())
    expect(html.exitCode).toBe(1)
    expect(html.out).toContain("likely The answer names its server: squid/6.10.")
    expect(html.out).not.toContain("likely A 403 in plain text")

    hostile.answer({
      status: 407,
      headers: { server: "squid/6.10", "content-type": "text/html", "proxy-authenticate": 'Basic realm="corp"' },
      body: page
    })
    const json = JSON.parse((await run(["token", "--loopback-only", "--json"], environment())).out)
    expect(json).toMatchObject({ error: "Unavailable", reason: "not-the-endpoint", status: 407 })
    expect(json.likely).toMatch(/^A proxy that wants credentials \(407\)/)
  })

  it("the endpoint's own JSON error gets no guess", async () => {
    hostile.answer(Hostile.errorAnswer(403))
    const json = JSON.parse((await run(["token", "--loopback-only", "--json"], environment())).out)
    expect(json.error).toBe("Rejected")
    expect(json.likely).toBeUndefined()
  })
})

describe("an endpoint that is not on this machine", () => {
  // ::ffff:127.0.0.1 is this machine, yet not an address core accepts as local: were the check to
  // let a request through, it would land on the stand-in and be counted. (--loopback-only would
  // refuse it too, so these runs go without it; were App Service not detected, IMDS requests would
  // still go to the stand-in, never to 169.254.169.254.)
  const environment = () => ({
    IDENTITY_ENDPOINT: `http://[::ffff:127.0.0.1]:${new URL(hostile.url).port}/msi/token`,
    IDENTITY_HEADER: "stand-in-secret",
    AZURE_POD_IDENTITY_AUTHORITY_HOST: hostile.url
  })

  it("is refused before anything is sent, naming the variable; doctor says the same", async () => {
    hostile.answer()
    const token = await run(["token"], environment())
    expect(token.exitCode).toBe(1)
    expect(token.err).toMatch(
      /^error IDENTITY_ENDPOINT: http:\/\/\[::ffff:7f00:1\]:\d+\/msi\/token is not on this machine/
    )
    expect(token.err).toContain("→ Fix IDENTITY_ENDPOINT; nothing was sent to any endpoint.")
    expect(token.err).not.toContain("The input is invalid") // the summary only repeated the message
    const doctor = JSON.parse((await run(["doctor", "--json"], environment())).out)
    expect(doctor.probe).toMatchObject({ error: "InvalidArgument", argument: "IDENTITY_ENDPOINT" })
    expect(hostile.received()).toBe(0)
  })

  it("--allow-non-local-endpoint lets the request go (sourceOptions.allowNonLocalEndpoint)", async () => {
    hostile.answer(Hostile.tokenAnswerWith(Hostile.jwt({ aud: "https://management.azure.com/" })))
    const result = await run(["token", "--allow-non-local-endpoint", "--json"], environment())
    expect(result.exitCode).toBe(0)
    expect(JSON.parse(result.out).source).toBe("AppService")
    expect(hostile.received()).toBe(1)
  })
})
