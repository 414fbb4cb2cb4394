/**
 * Attacks, through the Node adapter and real loopback servers:
 *
 * - Azure Arc's challenge names a file to send back: paths outside the agent's token directory,
 *   `..` traversal, symbolic links (to a file, to a directory, to a device), FIFOs, directories,
 *   oversized files and wrong extensions are refused before the file is read, with real files on
 *   disk read by the Node file reader; only the genuine key is ever sent;
 * - resource and identity strings that try to add query parameters or change the host are refused
 *   or sent as one encoded value (asserted on what the emulator's request log received);
 * - an endpoint that redirects is not followed (the redirect target records zero hits);
 * - `HTTP_PROXY` / `HTTPS_PROXY` / `ALL_PROXY` are ignored: the endpoint is reached directly and the
 *   "proxy" records zero hits;
 * - Service Fabric with a thumbprint that does not match the server's certificate, or a plain-http
 *   endpoint, never gets the request (nor its secret header);
 * - every IMDS, Arc and Cloud Shell request carries `Metadata: true`, retries included.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "@effect/vitest"
import { FileReader, ManagedIdentity } from "@managed-identity/core"
import type { Emulator } from "@managed-identity/emulator"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import { spawnSync } from "node:child_process"
import * as fs from "node:fs/promises"
import { createServer, type IncomingMessage, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { NodeCertificatePinning, NodeEnvironment, NodeFileReader, NodeHttpTransport } from "../../src/effect.js"
import {
  AuthenticationError,
  CredentialUnavailableError,
  InvalidArgumentError,
  ManagedIdentityCredential
} from "../../src/index.js"
import { assertLoopbackOnly, credentialFor, startEmulator, USER } from "../support/emulator.js"

const ARM = "https://management.azure.com/.default"

/** A loopback HTTP server that records every request and answers with `handler`. */
const recordingServer = async (
  handler: (
    request: IncomingMessage,
    body: string
  ) => { status: number; headers?: Record<string, string>; body?: string }
) => {
  const hits: Array<{ readonly method: string; readonly url: string; readonly headers: IncomingMessage["headers"] }> =
    []
  const server: Server = createServer((request, response) => {
    let body = ""
    request.on("data", (chunk: Buffer) => {
      body += chunk.toString()
    })
    request.on("end", () => {
      hits.push({ method: request.method ?? "", url: request.url ?? "", headers: request.headers })
      const reply = handler(request, body)
      response.writeHead(reply.status, reply.headers ?? {})
      response.end(reply.body ?? "")
    })
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    url,
    hits,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      })
  }
}

let emulator: Emulator.Emulator
beforeAll(async () => {
  emulator = await startEmulator()
})
afterAll(async () => {
  await emulator.close()
})
beforeEach(() => {
  emulator.faults.clear()
  emulator.requests.clear()
})

// ---------------------------------------------------------------------------------------------
// Azure Arc: the challenge's key file
// ---------------------------------------------------------------------------------------------

describe("Azure Arc: the key file named by the challenge", () => {
  const KEY = "arc-genuine-key-3f9a8b7c6d5e4f30"
  const OUTSIDE_SECRET = "outside-secret-must-never-be-sent-9c8b7a"
  let base = ""
  let tokens = ""
  let outside = ""
  let realm = ""
  let arc: Awaited<ReturnType<typeof recordingServer>>

  const canMakeFifo = process.platform !== "win32" && spawnSync("mkfifo", ["--version"]).error === undefined

  beforeAll(async () => {
    base = await fs.realpath(await fs.mkdtemp(join(tmpdir(), "mi-arc-attacks-")))
    tokens = join(base, "tokens")
    outside = join(base, "outside")
    await fs.mkdir(tokens)
    await fs.mkdir(outside)
    await fs.writeFile(join(tokens, "genuine.key"), KEY)
    await fs.writeFile(join(outside, "secret.key"), OUTSIDE_SECRET)
    await fs.writeFile(join(tokens, "huge.key"), "k".repeat(4097))
    await fs.writeFile(join(tokens, "key.txt"), KEY)
    await fs.mkdir(join(tokens, "directory.key"))
    await fs.symlink(join(outside, "secret.key"), join(tokens, "link.key"))
    await fs.symlink(outside, join(tokens, "linked-dir"))
    await fs.symlink("/dev/zero", join(tokens, "zero.key"))
    if (canMakeFifo) spawnSync("mkfifo", [join(tokens, "fifo.key")])
    // The agent: 401 with the realm under test until the caller comes back with Basic <key>.
    arc = await recordingServer((request) => {
      const authorization = request.headers.authorization
      if (authorization === undefined) {
        return { status: 401, headers: { "www-authenticate": `Basic realm=${realm}` } }
      }
      return authorization === `Basic ${KEY}`
        ? {
            status: 200,
            headers: { "content-type": "application/json" },
            body: JSON.stringify({ access_token: "arc-token", expires_in: "3600", token_type: "Bearer" })
          }
        : { status: 401, body: "wrong key" }
    })
  })
  afterAll(async () => {
    await arc.close()
    await fs.rm(base, { recursive: true, force: true })
  })

  /** Node's real file reader, counting what it is asked to read. */
  const countingNodeReader = () => {
    const inner = NodeFileReader.make()
    const read: Array<string> = []
    const reader: FileReader.FileReader["Type"] = {
      ...inner,
      readText: (path, options) => {
        read.push(path)
        return inner.readText(path, options)
      }
    }
    return { read, reader }
  }

  const getToken = (challengeRealm: string) => {
    realm = challengeRealm
    arc.hits.length = 0
    const files = countingNodeReader()
    const services = Layer.mergeAll(
      NodeHttpTransport.layer(),
      NodeEnvironment.layerFrom(
        assertLoopbackOnly({
          IDENTITY_ENDPOINT: `${arc.url}/metadata/identity/oauth2/token`,
          IMDS_ENDPOINT: arc.url
        })
      ),
      FileReader.layer(files.reader),
      NodeCertificatePinning.layer
    )
    const program = ManagedIdentity.getToken(ARM).pipe(
      Effect.either,
      Effect.provide(
        ManagedIdentity.layer({
          endpointGuard: ManagedIdentity.allowLoopbackOnly,
          sourceOptions: { arcKeyDirectory: tokens },
          retry: false
        }).pipe(Layer.provide(services))
      )
    )
    return Effect.runPromise(program).then((result) => ({ result, read: files.read, hits: [...arc.hits] }))
  }

  it("sends the genuine key, read once from inside the token directory", async () => {
    const { result, read, hits } = await getToken(join(tokens, "genuine.key"))
    expect(Either.isRight(result) && result.right.token).toBe("arc-token")
    expect(read).toEqual([join(tokens, "genuine.key")])
    expect(hits.map((h) => h.headers.authorization)).toEqual([undefined, `Basic ${KEY}`])
  })

  const refused: ReadonlyArray<readonly [string, () => string, RegExp]> = [
    ["a file outside the directory", () => join(outside, "secret.key"), /outside the agent's token directory/],
    ["a .. traversal out of it", () => `${tokens}/../outside/secret.key`, /outside the agent's token directory/],
    ["a backslash traversal", () => `${tokens}\\..\\outside\\secret.key`, /outside the agent's token directory/],
    ["a symbolic link to a file outside", () => join(tokens, "link.key"), /link to a file that breaks the rules/],
    // Not directly in the directory, whatever the link: refused by name before it is resolved.
    [
      "a path through a linked directory",
      () => join(tokens, "linked-dir", "secret.key"),
      /outside the agent's token directory/
    ],
    ["a symbolic link to /dev/zero", () => join(tokens, "zero.key"), /link to a file that breaks the rules/],
    ["a file over 4096 bytes", () => join(tokens, "huge.key"), /larger than 4096 bytes/],
    ["a name not ending in .key", () => join(tokens, "key.txt"), /does not end in \.key/],
    ["a directory named .key", () => join(tokens, "directory.key"), /not a regular file/],
    ["a relative path", () => "genuine.key", /outside the agent's token directory/],
    ["a missing file", () => join(tokens, "missing.key"), /cannot be resolved/]
  ]

  it.each(refused)("refuses %s before reading it, and sends nothing", async (_, path, rule) => {
    const { result, read, hits } = await getToken(path())
    expect(Either.isLeft(result)).toBe(true)
    const error = Either.flip(result).pipe(Either.getOrThrow)
    expect(error._tag).toBe("Rejected")
    expect(error.message).toMatch(rule)
    expect(read).toEqual([]) // refused before any read
    expect(hits).toHaveLength(1) // the challenge only: no second request, no key
    expect(JSON.stringify(hits)).not.toContain(OUTSIDE_SECRET)
    expect(`${error.message} ${JSON.stringify(error)}`).not.toContain(OUTSIDE_SECRET)
  })

  it.skipIf(!canMakeFifo)("refuses a FIFO without blocking on it", async () => {
    const { result, read, hits } = await getToken(join(tokens, "fifo.key"))
    const error = Either.flip(result).pipe(Either.getOrThrow)
    expect(error._tag).toBe("Rejected")
    expect(error.message).toMatch(/not a regular file/)
    expect(read).toEqual([])
    expect(hits).toHaveLength(1)
  })
})

// ---------------------------------------------------------------------------------------------
// Injection through resource and identity strings
// ---------------------------------------------------------------------------------------------

describe("resource and identity strings cannot add parameters or change the host", () => {
  const resources = [
    "https://x.example/&client_id=evil",
    "https://x.example/?api-version=1999-01-01&resource=https://evil.example/",
    "https://x.example/#@evil.example/",
    "https://evil.example@169.254.169.254/",
    "https://x.example/%26client_id%3Devil",
    "api://x&object_id=evil&msi_res_id=evil",
    "https://x.example/?x=1&mi_res_id=evil&principal_id=evil"
  ]

  it.each(["imds", "appservice"] as const)(
    "%s: each resource arrives as exactly one resource value",
    async (source) => {
      const credential = credentialFor(emulator, source)
      for (const resource of resources) {
        emulator.requests.clear()
        await credential.getToken(resource).catch(() => undefined)
        const sent = emulator.requests.all(source === "imds" ? "imds" : "appservice")
        expect(sent).toHaveLength(1) // it reached the emulator: the host did not change
        expect(Object.keys(sent[0]!.query).sort()).toEqual(["api-version", "resource"])
        expect(sent[0]!.query.resource).toBe(resource)
        expect(sent[0]!.query["api-version"]).toBe(source === "imds" ? "2018-02-01" : "2019-08-01")
      }
      await credential.close()
    }
  )

  it.each([
    ["imds", { clientId: "abc&resource=https://evil.example/&object_id=x" }, "client_id"],
    ["imds", { objectId: "x?api-version=1999-01-01#frag" }, "object_id"],
    ["imds", { resourceId: `${USER.resourceId}&client_id=evil` }, "msi_res_id"],
    ["appservice", { clientId: "abc&api-version=2017-09-01" }, "client_id"],
    ["appservice", { objectId: "abc&resource=https://evil.example/" }, "principal_id"],
    ["appservice", { resourceId: "/subscriptions/x&mi_res_id=y" }, "mi_res_id"]
  ] as const)("%s: identity %o arrives as exactly one %s value", async (source, selection, parameter) => {
    const credential = credentialFor(emulator, source, selection)
    await credential.getToken(ARM).catch(() => undefined)
    const [sent] = emulator.requests.all(source)
    expect(Object.keys(sent!.query).sort()).toEqual(["api-version", parameter, "resource"].sort())
    expect(sent!.query[parameter]).toBe(Object.values(selection)[0])
    expect(sent!.query.resource).toBe("https://management.azure.com")
    await credential.close()
  })

  it.each([
    ["a CR/LF header injection", "https://x.example/\r\nHost: evil.example"],
    ["a space", "https://x.example/ resource"],
    ["a non-ASCII look-alike", "https://mаnagement.azure.com/"],
    ["two scopes", ["https://a.example/.default", "https://b.example/.default"]]
  ] as const)("refuses a resource with %s before any request", async (_, resource) => {
    const credential = credentialFor(emulator, "imds")
    const error = await credential.getToken(resource as string | Array<string>).catch((e) => e)
    expect(error).toBeInstanceOf(InvalidArgumentError)
    expect(emulator.requests.count()).toBe(0)
    await credential.close()
  })

  it.each([
    ["a CR/LF", { clientId: "abc\r\nX-Injected: 1" }],
    ["a space", { objectId: "abc def" }],
    ["a NUL", { resourceId: "/subscriptions/x\u0000y" }]
  ] as const)("refuses an identity id with %s when the credential is built", (_, selection) => {
    expect(() => credentialFor(emulator, "imds", selection)).toThrow(InvalidArgumentError)
    expect(emulator.requests.count()).toBe(0)
  })
})

// ---------------------------------------------------------------------------------------------
// Redirects, proxies, pinning, Metadata
// ---------------------------------------------------------------------------------------------

describe("redirects are never followed", () => {
  it.each([301, 302, 303, 307, 308])("%i: the target is never contacted; no endpoint answered", async (status) => {
    const target = await recordingServer(() => ({ status: 200, body: '{"access_token":"stolen","expires_in":3600}' }))
    const redirector = await recordingServer(() => ({
      status,
      headers: { location: `${target.url}/metadata/identity/oauth2/token?api-version=2018-02-01&resource=x` }
    }))
    for (const environment of [
      { AZURE_POD_IDENTITY_AUTHORITY_HOST: redirector.url },
      { IDENTITY_ENDPOINT: `${redirector.url}/msi/token`, IDENTITY_HEADER: "app-service-secret-header" }
    ]) {
      const credential = new ManagedIdentityCredential({
        managedIdentity: {
          environment: assertLoopbackOnly(environment),
          endpointGuard: ManagedIdentity.allowLoopbackOnly,
          retry: { delta: 5, maxDelay: 50 }
        }
      })
      const error = await credential.getToken(ARM).catch((e) => e)
      // Something that redirects is not a managed-identity endpoint (@azure/identity: unavailable).
      expect(error).toBeInstanceOf(CredentialUnavailableError)
      expect(error.cause._tag).toBe("Unavailable")
      expect(error.cause.reason).toBe("not-the-endpoint")
      expect(error.message).toMatch(/redirect/)
      await credential.close()
    }
    expect(redirector.hits).toHaveLength(2) // once per source: a refusal is not retried
    expect(target.hits).toHaveLength(0)
    await Promise.all([target.close(), redirector.close()])
  })
})

describe("proxy variables are ignored", () => {
  const PROXY_VARIABLES = [
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "ALL_PROXY",
    "http_proxy",
    "https_proxy",
    "all_proxy",
    "NO_PROXY",
    "no_proxy"
  ]
  let proxy: Awaited<ReturnType<typeof recordingServer>>
  const saved: Record<string, string | undefined> = {}

  beforeAll(async () => {
    proxy = await recordingServer(() => ({ status: 502, body: "proxied" }))
    for (const name of PROXY_VARIABLES) saved[name] = process.env[name]
    for (const name of PROXY_VARIABLES) delete process.env[name]
    for (const name of ["HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"])
      process.env[name] = proxy.url
  })
  afterAll(async () => {
    for (const name of PROXY_VARIABLES) {
      if (saved[name] === undefined) delete process.env[name]
      else process.env[name] = saved[name]
    }
    await proxy.close()
  })

  it.each(["imds", "appservice", "servicefabric", "workloadidentity"] as const)(
    "%s reaches the endpoint directly with HTTP(S)_PROXY set in process.env and in its variables",
    async (source) => {
      const credential = credentialFor(emulator, source, {
        managedIdentity: { environment: { ...emulator.envFor(source), HTTP_PROXY: proxy.url, HTTPS_PROXY: proxy.url } }
      })
      const token = await credential.getToken(ARM)
      expect(token.token.split(".")).toHaveLength(3)
      expect(emulator.requests.count(source === "workloadidentity" ? "entra" : source)).toBe(1)
      expect(proxy.hits).toHaveLength(0)
      await credential.close()
    }
  )
})

describe("Service Fabric: the secret header only goes to the pinned certificate", () => {
  it("a thumbprint that does not match the server's certificate: refused, nothing sent", async () => {
    const wrong = emulator.thumbprint.replace(/^./, (c) => (c === "A" ? "B" : "A"))
    const credential = credentialFor(emulator, "servicefabric", {
      managedIdentity: {
        environment: { ...emulator.envFor("servicefabric"), IDENTITY_SERVER_THUMBPRINT: wrong },
        retry: { delta: 5, maxDelay: 50, maxRetries: 1 }
      }
    })
    const error = await credential.getToken(ARM).catch((e) => e)
    expect(error).toBeInstanceOf(AuthenticationError)
    expect(error.cause._tag).toBe("Rejected") // a certificate that does not match will not start matching
    expect(error.cause.attempts).toBe(1)
    expect(error.message).toMatch(/pinned thumbprint/)
    expect(emulator.requests.count()).toBe(0) // the TLS handshake was refused: no HTTP request, no secret
    expect(error.message).not.toContain(emulator.secret)
    await credential.close()
  })

  it("a plain-http endpoint with a thumbprint: refused before connecting", async () => {
    const env = emulator.envFor("servicefabric")
    const credential = credentialFor(emulator, "servicefabric", {
      managedIdentity: {
        environment: { ...env, IDENTITY_ENDPOINT: `${emulator.url}/servicefabric/metadata/identity/oauth2/token` },
        retry: { delta: 5, maxDelay: 50, maxRetries: 1 }
      }
    })
    const error = await credential.getToken(ARM).catch((e) => e)
    // Service Fabric's endpoint is always https: plain http is a misconfiguration, refused as such.
    expect(error).toBeInstanceOf(InvalidArgumentError)
    expect(error.cause._tag).toBe("InvalidArgument")
    expect(error.message).toMatch(/https/)
    expect(emulator.requests.count()).toBe(0)
    await credential.close()
  })
})

describe("Metadata: true on every request that needs it", () => {
  it.each([
    ["imds", "imds"],
    ["arc", "arc"],
    ["cloudshell", "cloudshell"]
  ] as const)("%s, first attempts and retries alike", async (source, endpoint) => {
    emulator.faults.add(`${endpoint}:503x2`)
    emulator.faults.add(`${endpoint}:resetx1`)
    const credential = credentialFor(emulator, source)
    await credential.getToken(ARM)
    for (const resource of ["https://vault.azure.net", "https://storage.azure.com/"])
      await credential.getToken(resource)
    const sent = emulator.requests.all(endpoint)
    expect(sent.length).toBeGreaterThanOrEqual(6)
    for (const request of sent) expect(request.headers.metadata).toBe("true")
    await credential.close()
  })
})
