/**
 * The connect probe in front of `fetch` (shared with the Deno adapter; it is `node:net`, so it runs
 * in Node as in Bun and Deno, where the conformance suite goes through it on every request).
 */
import { describe, expect, it } from "@effect/vitest"
import { Classification } from "@managed-identity/core"
import { Emulator } from "@managed-identity/emulator"
import { readFileSync } from "node:fs"
import * as net from "node:net"
import * as Harness from "../../conformance/src/Harness.js"
import * as connectProbe from "../src/internal/connectProbe.js"

const counting = (connect: connectProbe.Connect = (options) => net.connect(options)) => {
  const calls: Array<string> = []
  const wrapped: connectProbe.Connect = (options) => {
    calls.push(`${options.host}:${options.port}`)
    return connect(options)
  }
  return { calls, connect: wrapped }
}

// A socket that never connects: what a dropped SYN looks like from here.
const silent: connectProbe.Connect = () => new net.Socket()

describe("connect probe", () => {
  it("gives up after the timeout with an error the core classifies as no endpoint here", async () => {
    const probe = connectProbe.make(20, silent)
    const error = await probe(new URL("http://127.0.0.1:40342/metadata/identity/oauth2/token")).then(
      () => undefined,
      (e: unknown) => e
    )
    expect(error).toMatchObject({ name: "ConnectTimeoutError", code: "ETIMEDOUT", syscall: "connect" })
    expect(Classification.transportKind(error)).toBe("connect-timeout")
    const classified = Classification.classify({ source: "IMDS", transport: error })
    expect(classified._tag).toBe("Unavailable")
    expect(classified._tag === "Unavailable" && classified.reason).toBe("probe-timeout")
  })

  it("connects once per origin: an origin that accepted is not probed again", async () => {
    const emulator = await Emulator.start(Harness.emulatorOptions)
    try {
      const { calls, connect } = counting()
      const probe = connectProbe.make(1000, connect)
      await probe(new URL(`${emulator.url}/metadata/identity/oauth2/token`))
      await probe(new URL(`${emulator.url}/appservice/msi/token`))
      expect(calls).toEqual([new URL(emulator.url).host])
      // A bare TCP connect is not an HTTP request: the emulator saw nothing.
      expect(emulator.requests.count()).toBe(0)
    } finally {
      await emulator.close()
    }
  })

  it("reports a refused connection as the runtime does (ECONNREFUSED), and probes again next time", async () => {
    const port = await Harness.closedPort()
    const { calls, connect } = counting()
    const probe = connectProbe.make(1000, connect)
    const url = new URL(`http://127.0.0.1:${port}/`)
    for (let i = 0; i < 2; i++) {
      const error = await probe(url).then(
        () => undefined,
        (e: unknown) => e
      )
      expect((error as { code?: string }).code).toBe("ECONNREFUSED")
    }
    expect(calls).toHaveLength(2)
  })

  it("does not probe HTTPS origins (they may go through a proxy), nor anything when turned off", async () => {
    const { calls, connect } = counting(silent)
    await connectProbe.make(20, connect)(new URL("https://login.microsoftonline.com/tenant/oauth2/v2.0/token"))
    await connectProbe.make(0, connect)(new URL("http://127.0.0.1:40342/"))
    expect(calls).toEqual([])
  })

  it("stops at once when the caller aborts", async () => {
    const probe = connectProbe.make(60_000, silent)
    const controller = new AbortController()
    const pending = probe(new URL("http://127.0.0.1:40342/"), controller.signal).then(
      () => "connected",
      (e: unknown) => (e as Error).name
    )
    controller.abort()
    expect(await pending).toBe("AbortError")
  })

  it("is the same code as Deno's (one implementation, kept in both adapters)", () => {
    const bun = readFileSync(new URL("../src/internal/connectProbe.ts", import.meta.url), "utf8")
    const deno = readFileSync(new URL("../../deno/src/internal/connectProbe.ts", import.meta.url), "utf8")
    expect(bun).toBe(deno)
  })
})
