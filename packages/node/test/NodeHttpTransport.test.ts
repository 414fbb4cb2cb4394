import { describe, expect, it } from "@effect/vitest"
import * as Classification from "@managed-identity/core/Classification"
import * as HttpTransport from "@managed-identity/core/HttpTransport"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import { spawn } from "node:child_process"
import * as http from "node:http"
import * as https from "node:https"
import * as net from "node:net"
import * as NodeHttpTransport from "../src/NodeHttpTransport.js"
import { hasOpenssl, selfSigned } from "../../node-shared/test/fixtures/certificates.js"
import { causeChain, codesInChain, listen } from "../../node-shared/test/fixtures/servers.js"

/** A loopback HTTP server that records request targets and answers with `handler` (default 200 "ok"). */
const recordingServer = (handler?: (req: http.IncomingMessage, res: http.ServerResponse) => void) =>
  Effect.gen(function* () {
    const seen: Array<{ method: string; url: string; headers: http.IncomingHttpHeaders; body: string }> = []
    const server = http.createServer((req, res) => {
      let body = ""
      req.setEncoding("utf8")
      req.on("data", (chunk: string) => (body += chunk))
      req.on("end", () => {
        seen.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body })
        if (handler) handler(req, res)
        else res.end("ok")
      })
    })
    const { connections, port } = yield* listen(server)
    return { seen, connections, port, url: `http://127.0.0.1:${port}` }
  })

const limits = { maxBodyBytes: 65_536 }

const get = (transport: HttpTransport.Service, url: string, options = limits) =>
  transport.send(HttpTransport.get(url), options)

const getText = (transport: HttpTransport.Service, url: string) =>
  Effect.map(get(transport, url), (answer) => answer.body)

const failure = <A, E>(effect: Effect.Effect<A, E>) =>
  Effect.flatMap(Effect.exit(effect), (exit) =>
    Exit.isFailure(exit) && exit.cause._tag === "Fail"
      ? Effect.succeed(exit.cause.error)
      : Effect.dieMessage(`expected a failure, got ${exit._tag}`)
  )

/** One event-loop turn (not a timer): lets the connection pool and the kernel finish what they have started. */
const nextTurn = Effect.async<void>((resume) => {
  setImmediate(() => resume(Effect.void))
})

const proxyVariables = ["HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"] as const

/** Points every proxy variable at `proxy` for the scope's lifetime, then restores them. */
const proxyEnvironment = (proxy: string) =>
  Effect.acquireRelease(
    Effect.sync(() => {
      const saved = new Map<string, string | undefined>()
      for (const name of [...proxyVariables, "NO_PROXY", "no_proxy"]) saved.set(name, process.env[name])
      for (const name of proxyVariables) process.env[name] = proxy
      delete process.env.NO_PROXY
      delete process.env.no_proxy
      return saved
    }),
    (saved) =>
      Effect.sync(() => {
        for (const [name, value] of saved) {
          if (value === undefined) delete process.env[name]
          else process.env[name] = value
        }
      })
  )

describe("NodeHttpTransport", () => {
  it.scoped("reuses one keep-alive connection for sequential requests", () =>
    Effect.gen(function* () {
      const server = yield* recordingServer()
      const client = yield* NodeHttpTransport.make()
      const bodies: Array<string> = []
      for (let i = 0; i < 4; i++) {
        bodies.push(yield* getText(client, `${server.url}/token`))
        // The pool frees the socket one event-loop turn after the body ends; token requests are
        // never back to back, so give it that turn as any real caller does.
        yield* nextTurn
      }
      expect(bodies).toEqual(["ok", "ok", "ok", "ok"])
      expect(server.seen).toHaveLength(4)
      expect(server.connections()).toBe(1)
    })
  )

  it.scoped("opens a connection per request when keepAlive is false", () =>
    Effect.gen(function* () {
      const server = yield* recordingServer()
      const client = yield* NodeHttpTransport.make({ keepAlive: false })
      yield* Effect.all([1, 2, 3].map(() => getText(client, `${server.url}/token`)))
      expect(server.seen.map((request) => request.headers.connection)).toEqual(["close", "close", "close"])
      expect(server.connections()).toBe(3)
    })
  )

  it.scoped("hands a redirect to the caller instead of following it", () =>
    Effect.gen(function* () {
      const server = yield* recordingServer((req, res) => {
        if (req.url === "/redirect") res.writeHead(302, { location: "/elsewhere" }).end()
        else res.end("followed")
      })
      const client = yield* NodeHttpTransport.make()
      const answer = yield* get(client, `${server.url}/redirect`)
      expect(answer.status).toBe(302)
      expect(answer.headers.location).toBe("/elsewhere")
      expect(server.seen.map((request) => request.url)).toEqual(["/redirect"])
    })
  )

  it.scoped("never connects to HTTP_PROXY / HTTPS_PROXY / ALL_PROXY", () =>
    Effect.gen(function* () {
      // The "proxy" counts TCP connections, so any use of it (plain or CONNECT tunnel) shows.
      const proxy = yield* listen(
        net.createServer((socket) => socket.end("HTTP/1.1 502 Bad Gateway\r\ncontent-length: 0\r\n\r\n"))
      )
      const target = yield* recordingServer()
      yield* proxyEnvironment(`http://127.0.0.1:${proxy.port}`)

      // Control: a client that honours HTTP_PROXY (sends the absolute URL to the proxy, as curl
      // does) reaches the proxy, so the assertion below would catch a transport that used it.
      const configured = new URL(process.env.HTTP_PROXY!)
      yield* Effect.async<void>((resume) => {
        http
          .get({ host: configured.hostname, port: configured.port, path: `${target.url}/control` }, (res) => {
            res.resume()
            res.once("end", () => resume(Effect.void))
          })
          .once("error", () => resume(Effect.void))
      })
      expect(proxy.connections()).toBe(1)
      expect(target.seen).toHaveLength(0)

      const client = yield* NodeHttpTransport.make()
      const body = yield* getText(client, `${target.url}/metadata/identity/oauth2/token`)
      expect(body).toBe("ok")
      expect(target.seen.map((request) => request.url)).toEqual(["/metadata/identity/oauth2/token"])
      expect(proxy.connections()).toBe(1)
    })
  )

  it.scoped("sends a form body (Cloud Shell, workload identity)", () =>
    Effect.gen(function* () {
      const server = yield* recordingServer()
      const client = yield* NodeHttpTransport.make()
      const request = HttpTransport.postForm(
        `${server.url}/oauth2/token`,
        { resource: "https://management.azure.com/" },
        { Metadata: "true" }
      )
      const answer = yield* client.send(request, limits)
      expect(answer.status).toBe(200)
      expect(server.seen[0]).toMatchObject({
        method: "POST",
        body: "resource=https%3A%2F%2Fmanagement.azure.com%2F",
        headers: { metadata: "true", "content-type": "application/x-www-form-urlencoded" }
      })
    })
  )

  it.scoped("fails with a body error, and nothing else, when the connection is reset mid-body", () =>
    Effect.gen(function* () {
      // Headers promise 100 bytes; 10 arrive, then a TCP reset, after the answer's status arrived:
      // the send fails with a typed error naming the status (nothing goes unhandled) and the
      // transport stays usable.
      const server = http.createServer((_, res) => {
        res.writeHead(200, { "content-length": "100" })
        res.write("0123456789", () => res.socket?.resetAndDestroy())
      })
      const { port } = yield* listen(server)
      const client = yield* NodeHttpTransport.make()
      const error = yield* failure(get(client, `http://127.0.0.1:${port}/token`))
      expect(error).toBeInstanceOf(HttpTransport.TransportError)
      expect(error.reason).toBe("body")
      expect(error.status).toBe(200)
      // The transport still works afterwards (a fresh connection).
      const again = yield* recordingServer()
      expect(yield* getText(client, `${again.url}/token`)).toBe("ok")
    })
  )

  it.scoped("reads at most maxBodyBytes + 1 bytes of an answer, and closes its connection", () =>
    Effect.gen(function* () {
      // No content-length: the body is streamed, and the transport must stop reading by itself.
      let closed = 0
      const server = http.createServer((req, res) => {
        req.socket.once("close", () => closed++)
        if (req.url === "/declared") return res.writeHead(200, { "content-length": "100" }).end("x".repeat(100))
        res.writeHead(200, { "content-type": "text/plain" })
        res.write("x".repeat(60))
        res.write("y".repeat(60))
      })
      const { port } = yield* listen(server)
      const client = yield* NodeHttpTransport.make()
      const streamed = yield* failure(get(client, `http://127.0.0.1:${port}/streamed`, { maxBodyBytes: 64 }))
      expect(streamed).toMatchObject({ _tag: "TransportError", reason: "too-large", status: 200 })
      const declared = yield* failure(get(client, `http://127.0.0.1:${port}/declared`, { maxBodyBytes: 64 }))
      expect(declared).toMatchObject({ _tag: "TransportError", reason: "too-large", status: 200 })
      // Both connections are closed by the client (the server never ends the streamed answer).
      yield* Effect.async<void>((resume) => {
        const check = () => (closed === 2 ? resume(Effect.void) : setTimeout(check, 5))
        check()
      })
      expect(closed).toBe(2)
      // Under the cap, the same transport reads the answer whole.
      expect((yield* get(client, `http://127.0.0.1:${port}/declared`, { maxBodyBytes: 100 })).body).toBe(
        "x".repeat(100)
      )
    })
  )

  it.scoped("closes the request's connection when the send is interrupted", () =>
    Effect.gen(function* () {
      // Accepts the request and never answers; interrupting the send must not leave the socket open.
      const closed: Array<boolean> = []
      let received: (() => void) | undefined
      const server = http.createServer((req) => {
        req.socket.once("close", () => closed.push(true))
        received?.()
      })
      const { port } = yield* listen(server)
      const client = yield* NodeHttpTransport.make()
      const arrived = Effect.async<void>((resume) => {
        received = () => resume(Effect.void)
      })
      const fiber = yield* Effect.fork(get(client, `http://127.0.0.1:${port}/token`))
      yield* arrived
      yield* Fiber.interrupt(fiber)
      yield* Effect.async<void>((resume) => {
        const check = () => (closed.length === 1 ? resume(Effect.void) : setTimeout(check, 5))
        check()
      })
      expect(closed).toEqual([true])
    })
  )

  it.scoped("closes its connections when the scope closes", () =>
    Effect.gen(function* () {
      let serverSocket: net.Socket | undefined
      const server = http.createServer((_, res) => res.end("ok"))
      server.on("connection", (socket) => (serverSocket = socket))
      const { port } = yield* listen(server)
      yield* Effect.scoped(
        Effect.flatMap(NodeHttpTransport.make(), (client) => getText(client, `http://127.0.0.1:${port}/`))
      )
      expect(serverSocket).toBeDefined()
      // Resolves only when the client side has closed the idle keep-alive connection.
      yield* Effect.async<void>((resume) => {
        if (serverSocket!.destroyed || serverSocket!.readyState === "closed") resume(Effect.void)
        else serverSocket!.once("close", () => resume(Effect.void))
      })
      expect(serverSocket!.destroyed).toBe(true)
    })
  )

  it.scoped("provides core's HttpTransport as a layer", () =>
    Effect.gen(function* () {
      const server = yield* recordingServer()
      const context = yield* Layer.build(NodeHttpTransport.layer({ connectTimeout: "2 seconds" }))
      const answer = yield* Effect.provide(
        Effect.flatMap(HttpTransport.HttpTransport, (transport) =>
          transport.send(HttpTransport.get(`${server.url}/token`), { maxBodyBytes: 65_536 })
        ),
        context
      )
      expect(answer).toMatchObject({ status: 200, body: "ok" })
    })
  )

  describe("connect timeout", () => {
    it.scoped("fails with ERR_MI_CONNECT_TIMEOUT when the TLS handshake never completes", () =>
      Effect.gen(function* () {
        // Accepts TCP connections and never speaks: the connect timer covers the TLS
        // handshake, so this is a connect timeout on loopback with no injected connector.
        const { port } = yield* listen(net.createServer(() => {}))
        const client = yield* NodeHttpTransport.make({ connectTimeout: "100 millis" })
        const error = yield* failure(get(client, `https://127.0.0.1:${port}/`))
        expect(error).toMatchObject({ _tag: "TransportError", reason: "request" })
        expect(codesInChain(error)).toContain("ERR_MI_CONNECT_TIMEOUT")
        // Core reads it as "no endpoint here", so a credential chain moves on.
        const classified = Classification.classify({ source: "IMDS", transport: error.cause })
        expect(classified._tag).toBe("Unavailable")
      })
    )

    it.scoped.skipIf(process.platform === "win32")(
      "fails with ERR_MI_CONNECT_TIMEOUT when the TCP handshake never completes",
      () =>
        Effect.gen(function* () {
          // A listener whose process never accepts (its event loop is parked) and whose backlog
          // is full: the kernel drops further SYNs, as a firewall that black-holes the port would.
          const child = yield* Effect.acquireRelease(
            Effect.sync(() =>
              spawn(
                process.execPath,
                [
                  "-e",
                  `const s = require("node:net").createServer().listen({ port: 0, host: "127.0.0.1", backlog: 1 }, () =>
                     process.stdout.write(s.address().port + "\\n", () =>
                       Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0)))`
                ],
                { stdio: ["ignore", "pipe", "inherit"] }
              )
            ),
            (child) => Effect.sync(() => child.kill("SIGKILL"))
          )
          const port = yield* Effect.async<number>((resume) => {
            child.stdout!.once("data", (data) => resume(Effect.succeed(Number(String(data).trim()))))
          })
          const fillers = yield* Effect.acquireRelease(
            Effect.sync(() => Array.from({ length: 8 }, () => net.connect(port, "127.0.0.1").on("error", () => {}))),
            (sockets) =>
              Effect.sync(() => {
                for (const socket of sockets) socket.destroy()
              })
          )
          expect(fillers).toHaveLength(8)
          // One event-loop turn: the fillers' connect() calls have been made and have filled the queue.
          yield* nextTurn
          const client = yield* NodeHttpTransport.make({ connectTimeout: "100 millis" })
          const error = yield* failure(get(client, `http://127.0.0.1:${port}/`))
          expect(codesInChain(error)).toContain("ERR_MI_CONNECT_TIMEOUT")
          expect(Classification.classify({ source: "IMDS", transport: error.cause })._tag).toBe("Unavailable")
        })
    )
  })

  describe.skipIf(!hasOpenssl)("ca", () => {
    it.scoped("trusts a self-signed endpoint only when its certificate is given as ca", () =>
      Effect.gen(function* () {
        const certificate = selfSigned()
        const server = https.createServer({ key: certificate.key, cert: certificate.cert }, (_, res) => res.end("tls"))
        const { port } = yield* listen(server)
        const url = `https://127.0.0.1:${port}/`

        const untrusting = yield* NodeHttpTransport.make()
        const error = yield* failure(get(untrusting, url))
        expect(codesInChain(error)).toContain("DEPTH_ZERO_SELF_SIGNED_CERT")

        const trusting = yield* NodeHttpTransport.make({ ca: certificate.cert })
        expect(yield* getText(trusting, url)).toBe("tls")
      })
    )
  })

  describe.skipIf(!hasOpenssl)("pinnedThumbprint", () => {
    it.scoped("pins to the thumbprint (node-shared's pinned transport), and refuses a value that is not one", () =>
      Effect.gen(function* () {
        const right = selfSigned()
        const other = selfSigned()
        let requests = 0
        const server = https.createServer({ key: right.key, cert: right.cert }, (_, res) => {
          requests++
          res.end("pinned")
        })
        const { port } = yield* listen(server)
        const url = `https://127.0.0.1:${port}/metadata/identity/oauth2/token`
        const good = yield* NodeHttpTransport.make({ pinnedThumbprint: right.sha256 })
        expect(yield* getText(good, url)).toBe("pinned")
        const wrong = yield* NodeHttpTransport.make({ pinnedThumbprint: other.sha1 })
        const mismatch = yield* failure(get(wrong, url))
        expect(causeChain(mismatch).map((link) => (link as { reason?: unknown }).reason)).toContain("mismatch")
        // Not a thumbprint: refused without connecting, and the value is not quoted.
        const bad = yield* NodeHttpTransport.make({ pinnedThumbprint: "my-password-by-mistake" })
        const error = yield* failure(get(bad, url))
        expect(error).toMatchObject({ _tag: "TransportError", reason: "request" })
        expect(codesInChain(error)).toContain("ERR_MI_CERTIFICATE_PIN")
        expect(JSON.stringify(causeChain(error).map(String))).not.toContain("my-password-by-mistake")
        expect(Classification.classify({ source: "ServiceFabric", transport: error.cause })._tag).toBe("Rejected")
        expect(requests).toBe(1)
      })
    )
  })
})
