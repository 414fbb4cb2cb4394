/**
 * What loading the Promise-API entry costs a cold start, as module loads: it must not bring in the
 * TLS stack (`node:https`, `node:tls`) until a request needs it, nor undici or
 * `@effect/platform`'s HTTP client. Checked in a fresh `node` process, on the built entry point that
 * users import (`@managed-identity/node/ManagedIdentityCredential`, pre-bundled); the package's own
 * build runs before its tests (turbo.json).
 */
import { describe, expect, it } from "@effect/vitest"
import { execFile } from "node:child_process"
import { readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"

const entry = fileURLToPath(new URL("../dist/ManagedIdentityCredential.js", import.meta.url))

const loadedModules = (script: string): Promise<ReadonlyArray<string>> =>
  new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ["--input-type=module", "-e", script],
      // No variable that could point a credential anywhere: the script never sends a request.
      { env: { PATH: process.env.PATH ?? "" }, timeout: 30_000 },
      (error, stdout) => (error === null ? resolve(JSON.parse(stdout) as Array<string>) : reject(error))
    )
  })

describe("loading the Promise-API entry", () => {
  it("loads node:http but not the TLS stack, until a request needs it", async () => {
    const modules = await loadedModules(`
      const { ManagedIdentityCredential } = await import(${JSON.stringify(entry)})
      new ManagedIdentityCredential({ clientId: "00000000-0000-0000-0000-000000000001" })
      console.log(JSON.stringify(process.moduleLoadList))
    `)
    expect(modules).toContain("NativeModule http")
    expect(modules).not.toContain("NativeModule https")
    expect(modules).not.toContain("NativeModule tls")
    expect(modules).not.toContain("NativeModule _tls_wrap")
  })

  it("carries neither undici nor @effect/platform's HTTP client, request and response, nor Schema", () => {
    const code = readFileSync(entry, "utf8")
    expect(code).not.toMatch(/from\s*['"]undici['"]|import\(['"]undici['"]\)/)
    // Their type ids (`Symbol.for("…")`), which minification keeps.
    for (const typeId of [
      "@effect/platform/HttpClient",
      "@effect/platform/HttpClientRequest",
      "@effect/platform/HttpClientResponse",
      "effect/Schema"
    ]) {
      expect(code).not.toContain(JSON.stringify(typeId))
    }
  })
})
