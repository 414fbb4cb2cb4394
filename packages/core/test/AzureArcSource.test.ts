import { describe, expect, it } from "@effect/vitest"
import { run as runSteps } from "../src/internal/exchange.js"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import { AzureArcSource, Identity } from "../src/index.js"
import { isInside, normalize } from "../src/internal/pathContainment.js"
import { type Reply, TOKEN, countingFiles, fakeHttp, resource, tokenBody, urlOf } from "./support/sourceFakes.js"

const DIR = "/var/opt/azcmagent/tokens"
const KEY = "8c1e4b2a9f0d7c6e5b4a39281706f5e4"
const config: AzureArcSource.Config = {
  endpoint: new URL("http://127.0.0.1:40342/metadata/identity/oauth2/token"),
  keyDirectory: DIR,
  platform: "posix"
}
const ARM = resource()

const challenge = (path: string) => ({ status: 401, headers: { "WWW-Authenticate": `Basic realm=${path}` } })

const run = (
  replies: Parameters<typeof fakeHttp>[0],
  files: Parameters<typeof countingFiles>[0],
  identity: Identity.Identity = Identity.systemAssigned,
  cfg: AzureArcSource.Config = config
) =>
  Effect.gen(function* () {
    const http = fakeHttp(replies)
    const fs = countingFiles(files)
    const result = yield* Effect.either(
      runSteps(AzureArcSource.make(cfg).start({ identity, resource: ARM })).pipe(
        Effect.provide(fs.layer),
        Effect.provide(http.layer)
      )
    )
    return { result, http, fs }
  })

describe("AzureArcSource.fromVariables", () => {
  it("uses IDENTITY_ENDPOINT when IMDS_ENDPOINT is set too", () => {
    const result = AzureArcSource.fromVariables(
      {
        IDENTITY_ENDPOINT: "http://127.0.0.1:40342/metadata/identity/oauth2/token",
        IMDS_ENDPOINT: "http://127.0.0.1:40342"
      },
      { platform: "posix", agentInstalled: false }
    )
    expect(Either.getOrThrow(result)).toMatchObject({ keyDirectory: DIR, platform: "posix" })
  })

  it("uses the agent's default endpoint when only the agent is installed", () => {
    const result = AzureArcSource.fromVariables({}, { platform: "windows", agentInstalled: true })
    expect(Either.getOrThrow(result).endpoint.href).toBe(AzureArcSource.DEFAULT_ENDPOINT)
    expect(Either.getOrThrow(result).keyDirectory).toBe("C:\\ProgramData\\AzureConnectedMachineAgent\\Tokens")
  })

  it("takes the key directory from code only", () => {
    const result = AzureArcSource.fromVariables(
      {
        IDENTITY_ENDPOINT: "http://127.0.0.1:1/t",
        IMDS_ENDPOINT: "http://127.0.0.1:1",
        AZURE_ARC_KEY_DIRECTORY: "/tmp"
      },
      { platform: "posix", agentInstalled: false, keyDirectory: "/srv/emulator/tokens" }
    )
    expect(Either.getOrThrow(result).keyDirectory).toBe("/srv/emulator/tokens")
  })

  it("is not configured without variables or agent, and names an invalid IMDS_ENDPOINT", () => {
    expect(Either.isLeft(AzureArcSource.fromVariables({}, { platform: "posix", agentInstalled: false }))).toBe(true)
    const bad = AzureArcSource.fromVariables(
      { IDENTITY_ENDPOINT: "http://127.0.0.1:1/t", IMDS_ENDPOINT: "nope" },
      { platform: "posix", agentInstalled: false }
    )
    expect(Either.isLeft(bad) && bad.left).toMatchObject({ _tag: "InvalidArgument", argument: "IMDS_ENDPOINT" })
  })
})

describe("AzureArcSource.request", () => {
  it("asks with api-version 2020-06-01 and Metadata: true", () => {
    const request = Either.getOrThrow(AzureArcSource.request(config, Identity.systemAssigned, ARM))
    expect(request.method).toBe("GET")
    expect(urlOf(request).href).toBe(
      "http://127.0.0.1:40342/metadata/identity/oauth2/token?api-version=2020-06-01&resource=https%3A%2F%2Fmanagement.azure.com%2F"
    )
    expect(request.headers).toEqual({ metadata: "true" })
  })

  it.each([
    Either.getOrThrow(Identity.clientId("c")),
    Either.getOrThrow(Identity.objectId("o")),
    Either.getOrThrow(Identity.resourceId("/r"))
  ])("refuses %j", (identity) => {
    const result = AzureArcSource.request(config, identity, ARM)
    expect(Either.isLeft(result) && result.left).toMatchObject({ _tag: "Unavailable", reason: "unsupported-identity" })
  })
})

describe("AzureArcSource.challengePath", () => {
  it.each([
    ["Basic realm=/var/opt/azcmagent/tokens/a.key", "/var/opt/azcmagent/tokens/a.key"],
    ['Basic realm="/var/opt/azcmagent/tokens/a.key"', "/var/opt/azcmagent/tokens/a.key"],
    [
      "basic REALM = C:\\ProgramData\\AzureConnectedMachineAgent\\Tokens\\a.key",
      "C:\\ProgramData\\AzureConnectedMachineAgent\\Tokens\\a.key"
    ]
  ])("reads %s", (header, path) => {
    expect(AzureArcSource.challengePath(header)).toEqual(Either.right(path))
  })

  it.each([undefined, "", "Bearer realm=x", "Basic", "Basic realm="])("refuses %j", (header) => {
    expect(Either.isLeft(AzureArcSource.challengePath(header))).toBe(true)
  })
})

describe("path containment", () => {
  it.each([
    ["posix", DIR, `${DIR}/a.key`, true],
    // Directly inside only: the agent writes its key files in the directory itself (MSAL checks the same).
    ["posix", DIR, `${DIR}/sub/a.key`, false],
    ["posix", `${DIR}/`, `${DIR}//./a.key`, true],
    ["posix", DIR, `${DIR}/../tokens/a.key`, true],
    ["posix", DIR, `${DIR}/../../../../etc/shadow.key`, false],
    ["posix", DIR, `${DIR}/..\\..\\x.key`, false],
    ["posix", DIR, `${DIR}`, false],
    ["posix", DIR, `${DIR}-evil/a.key`, false],
    ["posix", DIR, "relative/a.key", false],
    ["posix", DIR, "/../../var/opt/azcmagent/tokens/a.key", false],
    ["posix", DIR, `${DIR.toUpperCase()}/a.key`, false],
    [
      "windows",
      "C:\\ProgramData\\AzureConnectedMachineAgent\\Tokens",
      "c:\\programdata\\azureconnectedmachineagent\\tokens\\a.key",
      true
    ],
    [
      "windows",
      "C:\\ProgramData\\AzureConnectedMachineAgent\\Tokens",
      "C:/ProgramData/AzureConnectedMachineAgent/Tokens/a.key",
      true
    ],
    [
      "windows",
      "C:\\ProgramData\\AzureConnectedMachineAgent\\Tokens",
      "C:\\ProgramData\\AzureConnectedMachineAgent\\Tokens\\..\\x.key",
      false
    ],
    [
      "windows",
      "C:\\ProgramData\\AzureConnectedMachineAgent\\Tokens",
      "D:\\ProgramData\\AzureConnectedMachineAgent\\Tokens\\a.key",
      false
    ],
    ["windows", "C:\\ProgramData\\AzureConnectedMachineAgent\\Tokens", "\\\\server\\share\\a.key", false],
    [
      "windows",
      "C:\\ProgramData\\AzureConnectedMachineAgent\\Tokens",
      "C:\\ProgramData\\AzureConnectedMachineAgent\\Tokens.\\a.key",
      false
    ]
  ] as const)("%s: %s contains %s → %s", (platform, dir, path, inside) => {
    expect(isInside(dir, path, platform)).toBe(inside)
  })

  it("refuses control characters", () => {
    expect(normalize("/var/opt/azcmagent/tokens/a\u0000.key", "posix")).toBeUndefined()
  })
})

describe("AzureArcSource.make: the challenge flow", () => {
  it.effect("reads the key and retries once with Authorization: Basic", () =>
    Effect.gen(function* () {
      const { result, http, fs } = yield* run([challenge(`${DIR}/abc.key`), { status: 200, body: tokenBody() }], {
        files: { [`${DIR}/abc.key`]: `${KEY}\n` }
      })
      expect(Either.isRight(result) && result.right.token).toBe(TOKEN)
      expect(http.recorded).toHaveLength(2)
      expect(http.recorded[0]!.headers.authorization).toBeUndefined()
      expect(http.recorded[1]!.headers.authorization).toBe(`Basic ${KEY}`)
      expect(http.recorded[1]!.url.href).toBe(http.recorded[0]!.url.href)
      expect(fs.calls.readText).toBe(1)
    })
  )

  it.effect("parses a first answer that is already a token (no challenge)", () =>
    Effect.gen(function* () {
      const { result, http, fs } = yield* run([{ status: 200, body: tokenBody() }], { files: {} })
      expect(Either.isRight(result)).toBe(true)
      expect(http.recorded).toHaveLength(1)
      expect(fs.calls.realPath).toBe(0)
    })
  )

  const refusals: ReadonlyArray<readonly [string, string, Parameters<typeof countingFiles>[0], string]> = [
    ["traversal with ../", `${DIR}/../../../etc/passwd.key`, { files: { "/etc/passwd.key": "root" } }, "outside"],
    ["a file outside the directory", "/tmp/a.key", { files: { "/tmp/a.key": KEY } }, "outside"],
    [
      "a symlink out of the directory",
      `${DIR}/link.key`,
      { files: { "/etc/shadow.key": "secret" }, links: { [`${DIR}/link.key`]: "/etc/shadow.key" } },
      "link"
    ],
    [
      "a symlink to a file without .key",
      `${DIR}/link.key`,
      { files: { [`${DIR}/other.txt`]: "x" }, links: { [`${DIR}/link.key`]: `${DIR}/other.txt` } },
      ".key"
    ],
    ["the wrong extension", `${DIR}/abc.txt`, { files: { [`${DIR}/abc.txt`]: KEY } }, ".key"],
    ["just .key", `${DIR}/.key`, { files: { [`${DIR}/.key`]: KEY } }, ".key"],
    ["a file over 4096 bytes", `${DIR}/big.key`, { files: { [`${DIR}/big.key`]: "k".repeat(4097) } }, "4096"],
    ["a missing file", `${DIR}/gone.key`, { files: {} }, "resolved"]
  ]
  for (const [name, path, files, rule] of refusals) {
    it.effect(`refuses ${name} before reading it`, () =>
      Effect.gen(function* () {
        const { result, http, fs } = yield* run([challenge(path), { status: 200, body: tokenBody() }], files)
        expect(Either.isLeft(result) && result.left._tag).toBe("Rejected")
        const error = Either.isLeft(result) ? result.left : undefined
        expect(error?.message).toContain(rule)
        expect(error?.message).toContain("AzureArc: refused to read the key file")
        expect(fs.calls.readText).toBe(0)
        expect(http.recorded).toHaveLength(1)
        // Never the contents of any file.
        expect(JSON.stringify(error)).not.toContain("secret")
        expect(JSON.stringify(error)).not.toContain(KEY)
      })
    )
  }

  it.effect("accepts a .KEY file in the Windows token directory, comparing case-insensitively", () =>
    Effect.gen(function* () {
      const windows: AzureArcSource.Config = {
        ...config,
        keyDirectory: "C:\\ProgramData\\AzureConnectedMachineAgent\\Tokens",
        platform: "windows"
      }
      const path = "C:\\ProgramData\\AzureConnectedMachineAgent\\Tokens\\abc.KEY"
      const { result, http } = yield* run(
        [challenge(path), { status: 200, body: tokenBody() }],
        { files: { [path]: KEY } },
        Identity.systemAssigned,
        windows
      )
      expect(Either.isRight(result)).toBe(true)
      expect(http.recorded[1]!.headers.authorization).toBe(`Basic ${KEY}`)
    })
  )

  it.effect("refuses key contents that cannot be a header value, without quoting them", () =>
    Effect.gen(function* () {
      const { result, http } = yield* run([challenge(`${DIR}/abc.key`)], {
        files: { [`${DIR}/abc.key`]: "line1\r\nX-Evil: yes" }
      })
      expect(Either.isLeft(result) && result.left.message).toContain("HTTP header")
      expect(JSON.stringify(result)).not.toContain("X-Evil")
      expect(http.recorded).toHaveLength(1)
    })
  )

  const unusable: ReadonlyArray<readonly [Reply, string]> = [
    [{ status: 401 }, "no WWW-Authenticate"],
    [{ status: 401, headers: { "WWW-Authenticate": "Bearer authorization_uri=x" } }, "Basic realm"]
  ]
  for (const [reply, text] of unusable) {
    it.effect(`calls a 401 without a usable challenge InvalidResponse challenge (${text})`, () =>
      Effect.gen(function* () {
        const { result, fs } = yield* run([reply], { files: {} })
        expect(Either.isLeft(result) && result.left).toMatchObject({
          _tag: "InvalidResponse",
          reason: "challenge",
          status: 401
        })
        expect(Either.isLeft(result) && result.left.message).toContain(text)
        expect(fs.calls.realPath).toBe(0)
      })
    )
  }

  it.effect("classifies a second 401 as Rejected with 2 attempts, never quoting the key", () =>
    Effect.gen(function* () {
      const { result } = yield* run(
        [
          challenge(`${DIR}/abc.key`),
          { status: 401, body: JSON.stringify({ error: "unauthorized", error_description: `bad key ${KEY}` }) }
        ],
        { files: { [`${DIR}/abc.key`]: KEY } }
      )
      expect(Either.isLeft(result) && result.left).toMatchObject({ _tag: "Rejected", status: 401, attempts: 2 })
      expect(JSON.stringify(Either.isLeft(result) ? result.left : null)).not.toContain(KEY)
      expect(Either.isLeft(result) && result.left.message).not.toContain(KEY)
    })
  )

  it.effect("refuses a user-assigned identity without sending anything", () =>
    Effect.gen(function* () {
      const { result, http } = yield* run(
        [{ status: 200, body: tokenBody() }],
        { files: {} },
        Either.getOrThrow(Identity.clientId("c"))
      )
      expect(Either.isLeft(result) && result.left).toMatchObject({
        _tag: "Unavailable",
        reason: "unsupported-identity"
      })
      expect(http.recorded).toHaveLength(0)
    })
  )
})
