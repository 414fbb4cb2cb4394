/**
 * The pinned transport is node-shared's, over `node:https` with a verifying agent, so it runs in
 * Node as in Bun (where test/Conformance.test.ts runs it against the emulator's Service Fabric
 * endpoint): here it meets a real TLS handshake and a self-signed certificate, and the pin is
 * checked before any byte of the request is written. Node's and Deno's adapters use the same module.
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { CertificatePinning, HttpTransport } from "@managed-identity/core"
import { Emulator } from "@managed-identity/emulator"
import { PinnedHttpsTransport } from "@managed-identity/node-shared"
import * as Effect from "effect/Effect"
import { fileURLToPath } from "node:url"
import * as Harness from "@managed-identity/conformance/Harness"
import { BunCertificatePinning } from "../src/effect.js"

let emulator: Emulator.Emulator
beforeAll(async () => {
  emulator = await Emulator.start(Harness.emulatorOptions)
})
afterAll(async () => {
  await emulator?.close()
})

const tokenRequest = () =>
  HttpTransport.get(
    `${emulator.httpsUrl}/servicefabric/metadata/identity/oauth2/token?api-version=2019-07-01-preview&resource=${encodeURIComponent("https://vault.azure.net")}`,
    { secret: emulator.secret }
  )

const send = (thumbprint: string, request: HttpTransport.Request) =>
  Effect.gen(function* () {
    const pinning = yield* CertificatePinning.CertificatePinning
    const client = yield* pinning.client(thumbprint)
    const answer = yield* client.send(request, { maxBodyBytes: 65_536 })
    return { status: answer.status, body: JSON.parse(answer.body) as unknown }
  }).pipe(Effect.provide(BunCertificatePinning.layer), Effect.scoped)

describe("BunCertificatePinning", () => {
  it("talks to the endpoint whose certificate has the pinned SHA-1 thumbprint (any case, with colons)", async () => {
    const colons = emulator.thumbprint.toLowerCase().replace(/(..)(?!$)/g, "$1:")
    const before = emulator.requests.count("servicefabric")
    const { status, body } = await Effect.runPromise(send(colons, tokenRequest()))
    expect(status).toBe(200)
    expect((body as { resource?: string }).resource).toBe("https://vault.azure.net")
    expect(emulator.requests.count("servicefabric")).toBe(before + 1)
  })

  it("refuses another certificate before sending anything", async () => {
    const before = emulator.requests.count("servicefabric")
    const error = await Effect.runPromise(Effect.flip(send("00".repeat(20), tokenRequest())))
    expect(error._tag).toBe("TransportError")
    expect((error as { reason?: string }).reason).toBe("request")
    // The secret header never reached the endpoint, nor the error.
    expect(JSON.stringify(error)).not.toContain(emulator.secret)
    expect(error.message).not.toContain(emulator.secret)
    const cause = (error as { cause?: unknown }).cause
    expect(cause).toBeInstanceOf(BunCertificatePinning.CertificatePinError)
    // The adapter's error is node-shared's: one class whichever adapter threw it.
    expect(cause).toBeInstanceOf(PinnedHttpsTransport.CertificatePinError)
    expect((cause as BunCertificatePinning.CertificatePinError).reason).toBe("mismatch")
    expect((cause as BunCertificatePinning.CertificatePinError).actual).toBe(emulator.thumbprint)
    expect(emulator.requests.count("servicefabric")).toBe(before)
  })

  it("refuses plain HTTP, and a thumbprint that is not one, as Unavailable", async () => {
    const plain = await Effect.runPromise(
      Effect.flip(
        send(emulator.thumbprint, HttpTransport.get(`${emulator.url}/servicefabric/metadata/identity/oauth2/token`))
      )
    )
    expect(((plain as { cause?: unknown }).cause as BunCertificatePinning.CertificatePinError).reason).toBe("not-tls")
    const invalid = await Effect.runPromise(Effect.flip(send("not-a-thumbprint", tokenRequest())))
    expect(invalid._tag).toBe("Unavailable")
    expect(invalid.message).not.toContain("not-a-thumbprint")
  })

  it("is needed: Bun's fetch cannot pin a self-signed certificate (checked in the real Bun binary)", async () => {
    const before = emulator.requests.count("servicefabric")
    const outcome = await Harness.execute(
      fileURLToPath(new URL("../node_modules/.bin/bun", import.meta.url)),
      ["run", "test/bun/fetchPinning.ts", `${emulator.httpsUrl}/servicefabric/metadata/identity/oauth2/token`],
      { cwd: fileURLToPath(new URL("..", import.meta.url)) }
    )
    expect(outcome.code, outcome.stderr).toBe(0)
    const report = JSON.parse(outcome.stdout.trim().split("\n").at(-1) ?? "null")
    // rejectUnauthorized: false skips checkServerIdentity, so a rejecting check still lets the request through…
    expect(report.lenient).toEqual({ calls: 0, outcome: "status 400" })
    // …and rejectUnauthorized: true fails on the self-signed chain before any check.
    expect(report.strict).toEqual({ calls: 0, outcome: "error DEPTH_ZERO_SELF_SIGNED_CERT" })
    expect(emulator.requests.count("servicefabric")).toBe(before + 1)
  })
})
