import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { CertificatePinning, Environment, FileReader } from "../src/index.js"

describe("Environment", () => {
  it("treats empty variables as unset and copies the record", () => {
    const source: Record<string, string | undefined> = { IDENTITY_ENDPOINT: "http://127.0.0.1:1", IDENTITY_HEADER: "" }
    const env = Environment.make(source, "windows")
    source.IDENTITY_ENDPOINT = "changed"
    expect(env.variables).toEqual({ IDENTITY_ENDPOINT: "http://127.0.0.1:1" })
    expect(env.platform).toBe("windows")
  })
})

describe("FileReader.memory", () => {
  const fs = FileReader.memory({
    files: { "/tokens/a.key": "key-contents", "/big": "x".repeat(5000) },
    links: { "/link.key": "/tokens/a.key", "/loop": "/loop" }
  })

  it.effect("follows links, enforces maxBytes and reports missing files", () =>
    Effect.gen(function* () {
      expect(yield* fs.realPath("/link.key")).toBe("/tokens/a.key")
      expect(yield* fs.stat("/link.key")).toEqual({ size: 12, isFile: true })
      expect(yield* fs.readText("/tokens/a.key", { maxBytes: 4096 })).toBe("key-contents")
      const tooLarge = yield* Effect.flip(fs.readText("/big", { maxBytes: 4096 }))
      expect(tooLarge.reason).toBe("too-large")
      expect(tooLarge.message).not.toContain("xxxx")
      expect((yield* Effect.flip(fs.realPath("/missing"))).reason).toBe("not-found")
      expect((yield* Effect.flip(fs.realPath("/loop"))).reason).toBe("not-found")
      expect(yield* fs.exists("/missing")).toBe(false)
      expect(yield* fs.exists("/tokens/a.key")).toBe(true)
    })
  )

  it.effect("unsupported fails every read with the reason", () =>
    Effect.gen(function* () {
      const none = FileReader.unsupported("edge runtimes have no file system")
      const error = yield* Effect.flip(none.readText("/var/run/secrets/token", { maxBytes: 10 }))
      expect(error.reason).toBe("unsupported")
      expect(error.message).toContain("edge runtimes have no file system")
      expect(yield* none.exists("/x")).toBe(false)
    })
  )
})

describe("CertificatePinning", () => {
  it.each([
    ["ab:cd:ef:01:23:45:67:89:ab:cd:ef:01:23:45:67:89:ab:cd:ef:01", "ABCDEF0123456789ABCDEF0123456789ABCDEF01"],
    ["a".repeat(64), "A".repeat(64)],
    ["xyz", undefined],
    ["abcd", undefined],
    ["", undefined]
  ])("normalizeThumbprint(%s)", (input, expected) => {
    expect(CertificatePinning.normalizeThumbprint(input)).toBe(expected)
  })

  it.effect("unsupported makes Service Fabric Unavailable with the reason", () =>
    Effect.gen(function* () {
      const pinning = yield* CertificatePinning.CertificatePinning
      const error = yield* Effect.flip(pinning.client("A".repeat(40)))
      expect(error._tag).toBe("Unavailable")
      expect(error.reason).toBe("unsupported-runtime")
      expect(error.message).toContain("cannot pin TLS")
    }).pipe(Effect.provide(CertificatePinning.unsupported("cannot pin TLS certificates here")))
  )
})
