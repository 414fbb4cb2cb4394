/**
 * The connect probe Deno and Bun put in front of `fetch`. It gets Node's own `node:net` here (the
 * adapters pass Deno's and Bun's, where the conformance suite goes through it on every request);
 * every connection is to 127.0.0.1.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Duration from "effect/Duration"
import * as net from "node:net"
import { Classification } from "@managed-identity/core"
import { ConnectProbe, NodeConnection } from "../src/index.js"

const counting = (connect: ConnectProbe.NetModule["connect"] = (options) => net.connect(options)) => {
  const calls: Array<string> = []
  const module: ConnectProbe.NetModule = {
    connect: (options) => {
      calls.push(`${options.host}:${options.port}`)
      return connect(options)
    }
  }
  return { calls, net: module }
}

// A socket that never connects: what a dropped SYN looks like from here.
const silent: ConnectProbe.NetModule["connect"] = () => new net.Socket()

/** A loopback TCP server that counts the bytes its connections send. */
const listening = async () => {
  let bytes = 0
  const sockets = new Set<net.Socket>()
  const server = net.createServer((socket) => {
    sockets.add(socket)
    socket.on("data", (chunk) => {
      bytes += chunk.byteLength
    })
    socket.on("close", () => sockets.delete(socket))
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const { port } = server.address() as net.AddressInfo
  return {
    origin: `http://127.0.0.1:${port}`,
    bytes: () => bytes,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
      })
  }
}

/** A loopback port where nothing listens (bound, then released). */
const closedPort = (): Promise<number> =>
  new Promise((resolve) => {
    const server = net.createServer()
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo
      server.close(() => resolve(port))
    })
  })

const outcome = (promise: Promise<void>): Promise<unknown> =>
  promise.then(
    () => "connected",
    (e: unknown) => e
  )

describe("ConnectProbe", () => {
  it("gives up after the timeout with an error the core classifies as no endpoint here", async () => {
    const probe = ConnectProbe.make({ connect: silent }, 20)
    const error = await outcome(probe(new URL("http://127.0.0.1:40342/metadata/identity/oauth2/token")))
    // The same error as the node-module transports' connect timeout.
    expect(error).toBeInstanceOf(NodeConnection.ConnectTimeoutError)
    expect(error).toMatchObject({ _tag: "ConnectTimeoutError", code: "ERR_MI_CONNECT_TIMEOUT", timeoutMs: 20 })
    expect((error as Error).message).toBe("connect timeout: no connection to 127.0.0.1:40342 within 20 ms")
    expect(Classification.transportKind(error)).toBe("connect-timeout")
    const classified = Classification.classify({ source: "IMDS", transport: error })
    expect(classified._tag).toBe("Unavailable")
    expect(classified._tag === "Unavailable" && classified.reason).toBe("probe-timeout")
  })

  it("connects once per origin, sends nothing, and does not probe an origin that accepted again", async () => {
    const server = await listening()
    try {
      const { calls, net: counted } = counting()
      const probe = ConnectProbe.make(counted, 1000)
      expect(await outcome(probe(new URL(`${server.origin}/metadata/identity/oauth2/token`)))).toBe("connected")
      expect(await outcome(probe(new URL(`${server.origin}/msi/token`)))).toBe("connected")
      expect(calls).toEqual([new URL(server.origin).host])
      // A bare TCP connect is not an HTTP request.
      expect(server.bytes()).toBe(0)
    } finally {
      await server.close()
    }
  })

  it("probes with the default timeout (1 second) when given none", async () => {
    expect(Duration.toMillis(ConnectProbe.defaultTimeout)).toBe(1000)
    const server = await listening()
    try {
      const { calls, net: counted } = counting()
      expect(await outcome(ConnectProbe.make(counted)(new URL(server.origin)))).toBe("connected")
      expect(calls).toEqual([new URL(server.origin).host])
    } finally {
      await server.close()
    }
  })

  it("reports a refused connection as the runtime does (ECONNREFUSED), and probes again next time", async () => {
    const port = await closedPort()
    const { calls, net: counted } = counting()
    const probe = ConnectProbe.make(counted, 1000)
    for (let i = 0; i < 2; i++) {
      expect(await outcome(probe(new URL(`http://127.0.0.1:${port}/`)))).toMatchObject({ code: "ECONNREFUSED" })
    }
    expect(calls).toHaveLength(2)
  })

  it("connects to the bare address of a bracketed IPv6 host and to port 80 by default", async () => {
    const { calls, net: counted } = counting(silent)
    const probe = ConnectProbe.make(counted, 5)
    await outcome(probe(new URL("http://[::1]/")))
    expect(calls).toEqual(["::1:80"])
  })

  it("does not probe HTTPS origins (they may go through a proxy), nor anything when turned off", async () => {
    const { calls, net: counted } = counting(silent)
    await ConnectProbe.make(counted, 20)(new URL("https://login.microsoftonline.com/tenant/oauth2/v2.0/token"))
    await ConnectProbe.make(counted, 0)(new URL("http://127.0.0.1:40342/"))
    expect(calls).toEqual([])
  })

  it("stops at once when the caller aborts, and does not connect when already aborted", async () => {
    const { calls, net: counted } = counting(silent)
    const probe = ConnectProbe.make(counted, 60_000)
    const controller = new AbortController()
    const pending = outcome(probe(new URL("http://127.0.0.1:40342/"), controller.signal))
    controller.abort()
    expect(((await pending) as Error).name).toBe("AbortError")
    expect(calls).toHaveLength(1)
    const again = await outcome(probe(new URL("http://127.0.0.1:40343/"), controller.signal))
    expect((again as Error).name).toBe("AbortError")
    expect(calls).toHaveLength(1)
  })
})
