/**
 * What the documented import (`@managed-identity/node`, the package root) costs a cold start, as
 * module loads, on the built files users get (the package's own build runs before its tests,
 * turbo.json): no Effect module at import, no TLS stack until a request needs it, the Effect engine
 * only when a credential needs more than its first request, one cache for the ESM and CJS builds
 * together, and a process that has its token exits by itself.
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import type { Emulator } from "@managed-identity/emulator"
import { execFile } from "node:child_process"
import { readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { assertLoopbackOnly, startEmulator } from "./support/emulator.js"

const dist = (file: string) => fileURLToPath(new URL(`../dist/${file}`, import.meta.url))
const packageDir = fileURLToPath(new URL("..", import.meta.url))

let emulator: Emulator.Emulator
beforeAll(async () => {
  emulator = await startEmulator()
})
afterAll(() => emulator.close())

/** Runs a script in a fresh `node` (from the package, so `@managed-identity/node` resolves to its build). */
const run = (
  args: ReadonlyArray<string>,
  variables: Readonly<Record<string, string>> = {}
): Promise<{ readonly stdout: string; readonly ms: number }> =>
  new Promise((resolve, reject) => {
    const started = Date.now()
    execFile(
      process.execPath,
      [...args],
      // Only the variables given, and without any, IMDS on a closed loopback port: a credential
      // that asked for a token by mistake would be refused on this machine, never reach 169.254.169.254.
      {
        cwd: packageDir,
        env: {
          PATH: process.env.PATH ?? "",
          AZURE_POD_IDENTITY_AUTHORITY_HOST: "http://127.0.0.1:9",
          ...assertLoopbackOnly(variables)
        },
        timeout: 30_000
      },
      (error, stdout, stderr) =>
        error === null
          ? resolve({ stdout, ms: Date.now() - started })
          : reject(new Error(`${error.message}\n${stderr}`))
    )
  })

const ARM = "https://management.azure.com/.default"

describe("the package root, as built", () => {
  it("imports nothing at load; Node's modules come from process.getBuiltinModule, the engine on demand", () => {
    for (const file of ["index.js", "index.cjs"]) {
      const code = readFileSync(dist(file), "utf8")
      // No static import at all: an ES import of node:http builds its namespace, which on Node 22
      // and 24 loads undici, TLS, http2 and zlib.
      const statics = [
        ...code.matchAll(/\bfrom\s*['"]([^'"]+)['"]/g),
        ...code.matchAll(/\brequire\(\s*['"]([^'"]+)['"]\s*\)/g),
        ...code.matchAll(/^import\s*['"]([^'"]+)['"]/gm)
      ].map((match) => match[1]!)
      expect(statics, file).toEqual([])
      expect(code).toContain("getBuiltinModule")
      // Dynamic: the engine, and the fallbacks for a Node without getBuiltinModule.
      const dynamic = [...code.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)].map((match) => match[1]).sort()
      const engine = file.endsWith(".cjs") ? "./engine.cjs" : "./engine.js"
      expect(dynamic).toEqual([engine, "node:http", "node:https"])
    }
  })

  it("carries neither undici nor @effect/platform's HTTP client, nor Schema, nor the fiber runtime", () => {
    const code = readFileSync(dist("index.js"), "utf8")
    // Their type ids (`Symbol.for("…")`), which minification keeps.
    for (const typeId of [
      "@effect/platform/HttpClient",
      "@effect/platform/HttpClientRequest",
      "effect/Schema",
      "effect/Runtime",
      "effect/Layer",
      "effect/Scope"
    ]) {
      expect(code).not.toContain(JSON.stringify(typeId))
    }
  })

  it("`./ManagedIdentityCredential` is the root itself: one module instance whichever path is imported", async () => {
    const { stdout } = await run([
      "--input-type=module",
      "-e",
      `const root = await import("@managed-identity/node")
       const entry = await import("@managed-identity/node/ManagedIdentityCredential")
       console.log(root.ManagedIdentityCredential === entry.ManagedIdentityCredential)`
    ])
    expect(stdout.trim()).toBe("true")
  })

  it("loads no HTTP module at import, node:http for a plain-HTTP endpoint, and never the TLS stack for it", async () => {
    const { stdout } = await run(
      [
        "--input-type=module",
        "-e",
        `const { ManagedIdentityCredential } = await import("@managed-identity/node")
         const credential = new ManagedIdentityCredential()
         const before = process.moduleLoadList.slice()
         await credential.getToken(${JSON.stringify(ARM)})
         console.log(JSON.stringify({ before, after: process.moduleLoadList }))`
      ],
      emulator.envFor("imds")
    )
    const { before, after } = JSON.parse(stdout) as { before: Array<string>; after: Array<string> }
    expect(before).not.toContain("NativeModule http")
    expect(after).toContain("NativeModule http")
    for (const tls of ["NativeModule https", "NativeModule tls", "NativeModule _tls_wrap"]) {
      expect(after).not.toContain(tls)
    }
  })
})

describe("the first token, in a fresh process", () => {
  // CommonJS, where `require.cache` lists every file loaded, the engine and `effect` included (an
  // `import()` of a CommonJS file goes through the same cache).
  const loadedAfterToken = `
    const { ManagedIdentityCredential } = require("@managed-identity/node")
    new ManagedIdentityCredential().getToken(${JSON.stringify(ARM)}).then((token) => {
      const files = Object.keys(require.cache)
      console.log(JSON.stringify({
        token: token.token.split(".").length,
        engine: files.some((file) => /[\\\\/]dist[\\\\/]engine\\.cjs$/.test(file)),
        effect: files.some((file) => /[\\\\/]node_modules[\\\\/]effect[\\\\/]/.test(file))
      }))
    })`

  it("is one plain request: neither the engine nor any Effect module is loaded", async () => {
    emulator.requests.clear()
    const { stdout } = await run(["-e", loadedAfterToken], emulator.envFor("imds"))
    expect(JSON.parse(stdout)).toEqual({ token: 3, engine: false, effect: false })
    expect(emulator.requests.count("imds")).toBe(1)
  })

  it("retries without the engine, and loads it (with the program's effect) for a source that reads a file", async () => {
    emulator.requests.clear()
    emulator.faults.add("imds:503x1")
    try {
      const { stdout } = await run(["-e", loadedAfterToken], emulator.envFor("imds"))
      expect(JSON.parse(stdout)).toEqual({ token: 3, engine: false, effect: false })
      expect(emulator.requests.count("imds")).toBe(2)
    } finally {
      emulator.faults.clear()
    }
    const { stdout } = await run(["-e", loadedAfterToken], emulator.envFor("workloadidentity"))
    expect(JSON.parse(stdout)).toEqual({ token: 3, engine: true, effect: true })
  })

  it("exits by itself once it has its token (nothing holds the event loop)", async () => {
    for (const variables of [emulator.envFor("imds"), emulator.envFor("appservice")]) {
      const { stdout } = await run(
        [
          "--input-type=module",
          "-e",
          `import { ManagedIdentityCredential } from "@managed-identity/node"
           const { token } = await new ManagedIdentityCredential().getToken(${JSON.stringify(ARM)})
           console.log(token.length > 0)`
        ],
        variables
      )
      expect(stdout.trim()).toBe("true")
    }
  })

  it("shares one token cache between the ESM and CommonJS builds in one process", async () => {
    emulator.requests.clear()
    const { stdout } = await run(
      [
        "--input-type=module",
        "-e",
        `import { createRequire } from "node:module"
         import { ManagedIdentityCredential as Esm } from "@managed-identity/node"
         const { ManagedIdentityCredential: Cjs } = createRequire(process.cwd() + "/")("@managed-identity/node")
         const a = await new Esm().getToken(${JSON.stringify(ARM)})
         const b = await new Cjs().getToken(${JSON.stringify(ARM)})
         console.log(JSON.stringify({ distinct: Esm !== Cjs, same: a.token === b.token }))`
      ],
      emulator.envFor("imds")
    )
    expect(JSON.parse(stdout)).toEqual({ distinct: true, same: true })
    expect(emulator.requests.count("imds")).toBe(1)
  })
})
