/**
 * The pinned transport Node, Deno and Bun build from their `node:` modules. Here the
 * transport gets Node's `node:https` and `node:net` with a stand-in for `node:tls` whose "TLS" socket
 * is a plain loopback TCP socket presenting a chosen certificate, so every path (pin accepted,
 * refused before a byte is written, answer streamed, cut short) runs against a local `node:http`
 * server without a certificate. The real TLS handshake is exercised by NodeCertificatePinning's tests,
 * the Bun adapter's and the conformance suite in Node, Deno and Bun.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import type * as http from "node:http"
import * as https from "node:https"
import * as net from "node:net"
import * as tls from "node:tls"
import { HttpTransport } from "@managed-identity/core"
import { serving } from "../../core/test/support/loopbackServer.js"
import { PinnedHttpsTransport } from "../src/index.js"

const SHA1 = "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01"
const SHA1_PIN = "ABCDEF0123456789ABCDEF0123456789ABCDEF01"
const SHA256 = `${"0A:1B:".repeat(15)}0A:1B`
const SHA256_PIN = "0A1B".repeat(16)
const certificate = { fingerprint: SHA1, fingerprint256: SHA256 }

/** `node:tls` as the pinned transport sees it: a plain TCP socket that presents `presented`. */
const fakeTls = (presented: { readonly fingerprint?: string; readonly fingerprint256?: string } | undefined) => {
  const connects: Array<Parameters<PinnedHttpsTransport.Modules["tls"]["connect"]>[0]> = []
  const module: PinnedHttpsTransport.Modules["tls"] = {
    connect: (options) => {
      connects.push(options)
      const socket = net.connect({ host: options.host, port: options.port })
      socket.once("connect", () => socket.emit("secureConnect"))
      return Object.assign(socket, { getPeerCertificate: () => presented })
    }
  }
  return { connects, module }
}

const pinned = (thumbprint: string, presented: Parameters<typeof fakeTls>[0] = certificate) => {
  const tlsModule = fakeTls(presented)
  return {
    connects: tlsModule.connects,
    ...PinnedHttpsTransport.make({ https, net, tls: tlsModule.module })(thumbprint)
  }
}

const send = (client: HttpTransport.Service, request: HttpTransport.Request) =>
  Effect.map(client.send(request, { maxBodyBytes: 65_536 }), (answer) => ({
    status: answer.status,
    headers: answer.headers,
    text: answer.body
  }))

const token = (port: number) =>
  HttpTransport.get(
    `https://127.0.0.1:${port}/metadata/identity/oauth2/token?api-version=2019-07-01-preview&resource=${encodeURIComponent("https://vault.azure.net")}`,
    { secret: "the-secret-header" }
  )

const json = (_: http.IncomingMessage, response: http.ServerResponse) => {
  response.setHeader("set-cookie", ["a=1", "b=2"])
  response.setHeader("content-type", "application/json")
  response.end('{"access_token":"x"}')
}

describe("PinnedHttpsTransport", () => {
  it.scoped("sends the request once the certificate matches the SHA-1 pin, and reads the answer back", () =>
    Effect.gen(function* () {
      const server = yield* serving(json)
      const { client, close, connects } = pinned(SHA1_PIN)
      yield* Effect.addFinalizer(() => Effect.sync(close))
      const answer = yield* send(client, token(server.port))
      expect(answer.status).toBe(200)
      expect(answer.text).toBe('{"access_token":"x"}')
      expect(answer.headers["content-type"]).toBe("application/json")
      // Repeated headers arrive as arrays from node:http: every value is kept.
      expect(answer.headers["set-cookie"]).toBe("a=1, b=2")
      expect(server.received).toHaveLength(1)
      expect(server.received[0]?.headers.secret).toBe("the-secret-header")
      expect(server.received[0]?.url).toContain("resource=https%3A%2F%2Fvault.azure.net")
      // Chain validation is off (the certificate is self-signed), HTTP/1.1 is asked for, and an IP
      // address is never sent as the server name.
      expect(connects).toEqual([
        { host: "127.0.0.1", port: server.port, rejectUnauthorized: false, ALPNProtocols: ["http/1.1"] }
      ])
    })
  )

  it.scoped("keeps the connection for the next request", () =>
    Effect.gen(function* () {
      const server = yield* serving(json)
      const { client, close, connects } = pinned(SHA1_PIN)
      yield* Effect.addFinalizer(() => Effect.sync(close))
      yield* send(client, token(server.port))
      yield* send(client, token(server.port))
      expect(server.received).toHaveLength(2)
      expect(connects).toHaveLength(1)
      expect(server.connections()).toBe(1)
    })
  )

  it.scoped("pins the SHA-256 fingerprint for a 64-digit thumbprint", () =>
    Effect.gen(function* () {
      const server = yield* serving(json)
      const { client, close } = pinned(SHA256_PIN)
      yield* Effect.addFinalizer(() => Effect.sync(close))
      expect((yield* send(client, token(server.port))).status).toBe(200)
    })
  )

  it.scoped("refuses another certificate before writing a byte of the request", () =>
    Effect.gen(function* () {
      const server = yield* serving(json)
      const { client, close } = pinned("00".repeat(20))
      yield* Effect.addFinalizer(() => Effect.sync(close))
      const error = yield* Effect.flip(send(client, token(server.port)))
      expect(error).toMatchObject({ _tag: "TransportError", reason: "request" })
      const cause = error.cause
      expect(cause).toBeInstanceOf(PinnedHttpsTransport.CertificatePinError)
      expect(cause).toMatchObject({
        _tag: "CertificatePinError",
        reason: "mismatch",
        host: `127.0.0.1:${server.port}`,
        expected: "00".repeat(20),
        actual: SHA1_PIN
      })
      expect((cause as Error).message).toBe(
        `certificate pinning: 127.0.0.1:${server.port} presented a certificate with SHA-1 thumbprint ${SHA1_PIN}, expected ${"00".repeat(20)}`
      )
      expect(server.received).toHaveLength(0)
    })
  )

  it.scoped("refuses a server that presents no certificate, and names the algorithm of a SHA-256 pin", () =>
    Effect.gen(function* () {
      const server = yield* serving(json)
      const { client, close } = pinned(SHA256_PIN, {})
      yield* Effect.addFinalizer(() => Effect.sync(close))
      const error = yield* Effect.flip(send(client, token(server.port)))
      const cause = error.cause as PinnedHttpsTransport.CertificatePinError
      expect(cause.actual).toBeUndefined()
      expect(cause.message).toContain("a certificate with SHA-256 thumbprint (none)")
      expect(server.received).toHaveLength(0)
    })
  )

  it.effect("refuses plain HTTP without connecting: a pinned transport never sends a secret in clear text", () =>
    Effect.gen(function* () {
      const { client, close, connects } = pinned(SHA1_PIN)
      const error = yield* Effect.flip(
        send(client, HttpTransport.get("http://127.0.0.1:2377/metadata/identity/oauth2/token"))
      )
      close()
      expect(error).toMatchObject({ _tag: "TransportError", reason: "request" })
      expect(error.cause).toMatchObject({
        reason: "not-tls",
        host: "127.0.0.1:2377",
        expected: SHA1_PIN,
        message: "certificate pinning: http://127.0.0.1:2377 is not HTTPS, refusing to connect"
      })
      expect(connects).toEqual([])
    })
  )

  it.scoped("sends text bodies, and refuses a request whose URL is not one without connecting", () =>
    Effect.gen(function* () {
      const server = yield* serving((_, response) => response.end("ok"))
      const { client, close, connects } = pinned(SHA1_PIN)
      yield* Effect.addFinalizer(() => Effect.sync(close))
      const url = `https://127.0.0.1:${server.port}/token`
      yield* send(client, HttpTransport.postForm(url, { a: "1" }))
      yield* send(client, {
        method: "POST",
        url,
        headers: {},
        body: { contentType: "text/plain", text: "raw téxt" }
      })
      expect(server.received.map((r) => [r.method, r.body])).toEqual([
        ["POST", "a=1"],
        ["POST", "raw téxt"]
      ])
      const before = connects.length
      const error = yield* Effect.flip(send(client, HttpTransport.get("https://")))
      expect(error).toMatchObject({ _tag: "TransportError", reason: "encode" })
      expect(connects.length).toBe(before)
      expect(server.received).toHaveLength(2)
    })
  )

  it.scoped("answers 204 and 304 without a body", () =>
    Effect.gen(function* () {
      const server = yield* serving((request, response) => {
        response.statusCode = request.url === "/none" ? 204 : request.url === "/same" ? 304 : 200
        response.end()
      })
      const { client, close } = pinned(SHA1_PIN)
      yield* Effect.addFinalizer(() => Effect.sync(close))
      const base = `https://127.0.0.1:${server.port}`
      expect(yield* send(client, HttpTransport.get(`${base}/none`))).toMatchObject({ status: 204, text: "" })
      expect(yield* send(client, HttpTransport.get(`${base}/same`))).toMatchObject({ status: 304, text: "" })
    })
  )

  it.scoped("fails the body of an answer cut short", () =>
    Effect.gen(function* () {
      const server = yield* serving((_, response) => {
        response.writeHead(200, { "content-length": "100" })
        response.write('{"access_token":')
        setImmediate(() => response.socket?.destroy())
      })
      const { client, close } = pinned(SHA1_PIN)
      yield* Effect.addFinalizer(() => Effect.sync(close))
      const error = yield* Effect.flip(send(client, token(server.port)))
      expect(error).toMatchObject({ _tag: "TransportError", reason: "body", status: 200 })
    })
  )

  it.scoped("stops the request when the caller is interrupted", () =>
    Effect.gen(function* () {
      let arrived: () => void = () => undefined
      const waiting = new Promise<void>((resolve) => {
        arrived = resolve
      })
      let hungUp: () => void = () => undefined
      const closed = new Promise<void>((resolve) => {
        hungUp = resolve
      })
      // Never answers: only the client can end this exchange.
      const server = yield* serving((_, response) => {
        response.on("close", () => hungUp())
        arrived()
      })
      const { client, close } = pinned(SHA1_PIN)
      yield* Effect.addFinalizer(() => Effect.sync(close))
      const fiber = yield* Effect.fork(send(client, token(server.port)))
      yield* Effect.promise(() => waiting)
      const exit = yield* Fiber.interrupt(fiber)
      expect(Exit.isInterrupted(exit)).toBe(true)
      // Resolves only when the client destroyed the request (the server never ends it).
      yield* Effect.promise(() => closed)
      expect(server.received).toHaveLength(1)
    })
  )

  it.effect("reports a connection that fails as a transport error (Node's own node:tls, nothing listening)", () =>
    Effect.gen(function* () {
      const port = yield* Effect.promise(
        () =>
          new Promise<number>((resolve) => {
            const probe = net.createServer()
            probe.listen(0, "127.0.0.1", () => {
              const { port } = probe.address() as net.AddressInfo
              probe.close(() => resolve(port))
            })
          })
      )
      // The adapters pass their runtime's modules exactly like this.
      const modules: PinnedHttpsTransport.Modules = { https, tls, net }
      const { client, close } = PinnedHttpsTransport.make(modules)(SHA1_PIN)
      const error = yield* Effect.flip(send(client, token(port)))
      close()
      expect(error).toMatchObject({ _tag: "TransportError", reason: "request" })
      expect(error.cause).toMatchObject({ code: "ECONNREFUSED" })
    })
  )

  it.scoped("sends a host name as the TLS server name, without IPv6 brackets for an address", () =>
    Effect.gen(function* () {
      const { client, close, connects } = pinned(SHA1_PIN)
      yield* Effect.addFinalizer(() => Effect.sync(close))
      // Nothing listens on port 9 of either: only what reached `tls.connect` matters here.
      yield* Effect.flip(send(client, HttpTransport.get("https://localhost:9/")))
      yield* Effect.flip(send(client, HttpTransport.get("https://[::1]:9/")))
      expect(connects.map((c) => [c.host, c.port, c.servername])).toEqual([
        ["localhost", 9, "localhost"],
        ["::1", 9, undefined]
      ])
    })
  )
})

describe("PinnedHttpsTransport: a handshake that never ends", () => {
  /** A TCP server that accepts and never says a word: a TLS handshake with it never finishes. */
  const silent = Effect.acquireRelease(
    Effect.promise(async () => {
      const sockets: Array<net.Socket> = []
      let closed = 0
      const server = net.createServer((socket) => {
        sockets.push(socket)
        socket.on("error", () => undefined)
        socket.once("close", () => closed++)
      })
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
      return {
        server,
        port: (server.address() as net.AddressInfo).port,
        accepted: () => sockets.length,
        closed: () => closed
      }
    }),
    ({ server }) => Effect.promise(() => new Promise<void>((resolve) => server.close(() => resolve())))
  )

  /** `node:tls` whose sockets connect over TCP and never finish their handshake. */
  const unfinishedTls = () => {
    const opened: Array<net.Socket> = []
    const module: PinnedHttpsTransport.Modules["tls"] = {
      connect: (options) => {
        const socket = net.connect({ host: options.host, port: options.port })
        opened.push(socket)
        return Object.assign(socket, { getPeerCertificate: () => certificate })
      }
    }
    return { opened, module }
  }

  const holdsProcess = (socket: net.Socket): boolean | undefined =>
    (socket as unknown as { _handle?: { hasRef?: () => boolean } })._handle?.hasRef?.()

  const until = (condition: () => boolean) =>
    Effect.promise(async () => {
      while (!condition()) await new Promise((resolve) => setTimeout(resolve, 2))
    })

  it.scoped.each([
    ["a caller waits for", true, false],
    ["nobody waits for (a background refresh)", false, true]
  ] as const)(
    "mid-handshake, a request %s holds the process open (%s), and interrupting it ends the connection",
    ([, holds, background]) =>
      Effect.gen(function* () {
        const server = yield* silent
        const tlsModule = unfinishedTls()
        const { client, close } = PinnedHttpsTransport.make({ https, net, tls: tlsModule.module })(SHA1_PIN)
        yield* Effect.addFinalizer(() => Effect.sync(close))
        const fiber = yield* Effect.fork(
          Effect.locally(send(client, token(server.port)), HttpTransport.background, background)
        )
        yield* until(() => server.accepted() === 1)
        expect(holdsProcess(tlsModule.opened[0]!)).toBe(holds)
        yield* Fiber.interrupt(fiber)
        // The agent hands the connection over only after the handshake: without the request's help
        // it would keep handshaking until a connect timeout.
        yield* until(() => server.closed() === 1)
        expect(tlsModule.opened[0]!.destroyed).toBe(true)
      })
  )
})
