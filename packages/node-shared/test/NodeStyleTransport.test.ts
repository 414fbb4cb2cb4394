/**
 * The transport over a `node:http`-style `request` function, against a real `node:http` server on
 * 127.0.0.1 (port 0): what reaches the server, how the answer is read under the cap, how a broken
 * answer, a refused connection, a connect timeout and an interruption end.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as http from "node:http"
import * as https from "node:https"
import type * as net from "node:net"
import { Classification, HttpTransport } from "@managed-identity/core"
import { serving } from "../../core/test/support/loopbackServer.js"
import { NodeConnection, NodeStyleTransport } from "../src/index.js"

const MAX = 65_536

/** A promise and its resolver, to wait for something the server sees. */
const signal = () => {
  let resolve: () => void = () => undefined
  const promise = new Promise<void>((r) => {
    resolve = r
  })
  return { promise, resolve }
}

/** `node:http`'s own `request`, each request on a new connection unless an agent is given. */
const plain =
  (agent: http.Agent | false = false): NodeStyleTransport.RequestFunction =>
  (url, options) =>
    http.request(url, { ...options, agent })

const send = (transport: HttpTransport.Service, request: HttpTransport.Request, maxBodyBytes = MAX) =>
  transport.send(request, { maxBodyBytes })

/** Whether a socket keeps the event loop (and so the process) alive: its libuv handle's ref. */
const holdsProcess = (socket: net.Socket): boolean | undefined =>
  (socket as unknown as { _handle?: { hasRef?: () => boolean } })._handle?.hasRef?.()

/** `node:http`'s `request` through `agent`, keeping each request's socket for the test to look at. */
const watched = (agent: http.Agent | false = false) => {
  const sockets: Array<net.Socket> = []
  const request: NodeStyleTransport.RequestFunction = (url, options) => {
    const outgoing = http.request(url, { ...options, agent })
    outgoing.once("socket", (socket) => sockets.push(socket))
    return outgoing
  }
  return { request, sockets }
}

describe("NodeStyleTransport.make: a server that answers", () => {
  it.scoped("sends the method, the query, the headers and the body; reads status, headers and body", () =>
    Effect.gen(function* () {
      const server = yield* serving((_, response) => {
        response.statusCode = 201
        response.setHeader("X-Ms-Request-Id", "abc")
        response.setHeader("set-cookie", ["a=1", "b=2"])
        response.setHeader("x-repeated", ["one", "two"])
        response.end("héllo")
      })
      const transport = NodeStyleTransport.make({ request: plain() })
      const answer = yield* send(
        transport,
        HttpTransport.postForm(
          `${server.base}/oauth2/token?api-version=2019-08-01#fragment`,
          { resource: "https://vault.azure.net" },
          { Metadata: "true" }
        )
      )
      expect(answer.status).toBe(201)
      expect(answer.body).toBe("héllo")
      expect(answer.headers["x-ms-request-id"]).toBe("abc")
      // Repeated headers are joined, whatever shape node:http gives them in.
      expect(answer.headers["set-cookie"]).toBe("a=1, b=2")
      expect(answer.headers["x-repeated"]).toBe("one, two")
      expect(Object.keys(answer.headers).every((name) => name === name.toLowerCase())).toBe(true)
      const [received] = server.received
      expect(received?.method).toBe("POST")
      expect(received?.url).toBe("/oauth2/token?api-version=2019-08-01")
      expect(received?.headers).toMatchObject({
        metadata: "true",
        "content-type": "application/x-www-form-urlencoded",
        "content-length": "38"
      })
      expect(received?.body).toBe("resource=https%3A%2F%2Fvault.azure.net")
    })
  )

  it.scoped("reads an answer without a body as the empty string", () =>
    Effect.gen(function* () {
      const server = yield* serving((_, response) => {
        response.statusCode = 204
        response.end()
      })
      const answer = yield* send(NodeStyleTransport.make({ request: plain() }), HttpTransport.get(server.base))
      expect(answer).toMatchObject({ status: 204, body: "" })
    })
  )

  it.scoped("never follows a redirect", () =>
    Effect.gen(function* () {
      const server = yield* serving((_, response) => {
        response.writeHead(302, { location: "/elsewhere" })
        response.end()
      })
      const answer = yield* send(NodeStyleTransport.make({ request: plain() }), HttpTransport.get(server.base))
      expect(answer).toMatchObject({ status: 302, headers: { location: "/elsewhere" } })
      expect(server.received).toHaveLength(1)
    })
  )

  it.scoped("with a connect timeout: a connection that connects in time, then the pooled one, are not cut", () =>
    Effect.gen(function* () {
      const server = yield* serving((_, response) => response.end("ok"))
      const agent = new http.Agent({ keepAlive: true })
      yield* Effect.addFinalizer(() => Effect.sync(() => agent.destroy()))
      const transport = NodeStyleTransport.make({ request: plain(agent), connectTimeoutMs: 50 })
      expect((yield* send(transport, HttpTransport.get(server.base))).body).toBe("ok")
      // Longer than the timeout: a timer left behind would have destroyed the kept connection.
      yield* Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 100)))
      expect((yield* send(transport, HttpTransport.get(server.base))).body).toBe("ok")
      expect(server.connections()).toBe(1)
    })
  )
})

describe("NodeStyleTransport.make: the body cap", () => {
  it.scoped("accepts exactly the cap and refuses one byte more", () =>
    Effect.gen(function* () {
      const server = yield* serving((request, response) => response.end("x".repeat(Number(request.url!.slice(1)))))
      const transport = NodeStyleTransport.make({ request: plain() })
      expect((yield* send(transport, HttpTransport.get(`${server.base}/10`), 10)).body).toHaveLength(10)
      const error = yield* Effect.flip(send(transport, HttpTransport.get(`${server.base}/11`), 10))
      expect(error).toMatchObject({ _tag: "TransportError", reason: "too-large", status: 200 })
    })
  )

  it.scoped("stops an endless body just past the cap and closes the connection, without reading it all", () =>
    Effect.gen(function* () {
      const LIMIT = 64 * 1024 * 1024
      const closed = signal()
      let written = 0
      const server = yield* serving((_, response) => {
        response.on("close", closed.resolve)
        const chunk = Buffer.alloc(16 * 1024, 120)
        const pump = () => {
          while (written < LIMIT && !response.destroyed) {
            written += chunk.byteLength
            if (!response.write(chunk)) return void response.once("drain", pump)
          }
          response.end()
        }
        response.writeHead(200)
        pump()
      })
      const error = yield* Effect.flip(
        send(NodeStyleTransport.make({ request: plain() }), HttpTransport.get(server.base))
      )
      expect(error).toMatchObject({ reason: "too-large", status: 200, message: `the body is over ${MAX} bytes` })
      yield* Effect.promise(() => closed.promise)
      expect(written).toBeLessThan(LIMIT)
    })
  )

  it.scoped("refuses a declared Content-Length over the cap without waiting for the body", () =>
    Effect.gen(function* () {
      const closed = signal()
      const server = yield* serving((_, response) => {
        response.on("close", closed.resolve)
        // Announces a large body, sends a byte of it, and never the rest.
        response.writeHead(200, { "content-length": String(MAX + 1) })
        response.write("x")
      })
      const error = yield* Effect.flip(
        send(NodeStyleTransport.make({ request: plain() }), HttpTransport.get(server.base))
      )
      expect(error).toMatchObject({ reason: "too-large", status: 200 })
      yield* Effect.promise(() => closed.promise)
    })
  )
})

describe("NodeStyleTransport.make: failures", () => {
  it.scoped("reports a server that drops the connection mid-body as a body error with the status", () =>
    Effect.gen(function* () {
      const server = yield* serving((_, response) => {
        response.writeHead(200, { "content-length": "100" })
        response.write('{"access_token":')
        setImmediate(() => response.socket?.destroy())
      })
      const error = yield* Effect.flip(
        send(NodeStyleTransport.make({ request: plain() }), HttpTransport.get(server.base))
      )
      expect(error).toMatchObject({
        _tag: "TransportError",
        reason: "body",
        status: 200,
        message: "the body broke off while it was being read"
      })
    })
  )

  it.scoped("reports a server that hangs up before answering as a request error", () =>
    Effect.gen(function* () {
      const server = yield* serving((request) => request.socket.destroy())
      const error = yield* Effect.flip(
        send(NodeStyleTransport.make({ request: plain() }), HttpTransport.get(server.base))
      )
      expect(error).toMatchObject({ reason: "request", message: "the request failed" })
      expect(error.status).toBeUndefined()
      expect(error.cause).toMatchObject({ code: "ECONNRESET" })
    })
  )

  it.effect("reports a refused connection as a request error whose cause has ECONNREFUSED", () =>
    Effect.gen(function* () {
      // A port that was just free: nothing listens on it.
      const port = yield* Effect.promise(
        () =>
          new Promise<number>((resolve) => {
            const probe = http.createServer()
            probe.listen(0, "127.0.0.1", () => {
              const { port } = probe.address() as net.AddressInfo
              probe.close(() => resolve(port))
            })
          })
      )
      const error = yield* Effect.flip(
        send(NodeStyleTransport.make({ request: plain() }), HttpTransport.get(`http://127.0.0.1:${port}/`))
      )
      expect(error).toMatchObject({ _tag: "TransportError", reason: "request" })
      expect(error.cause).toMatchObject({ code: "ECONNREFUSED" })
    })
  )

  it.effect("refuses a body it cannot send as an encode error, without a request", () =>
    Effect.gen(function* () {
      let requests = 0
      const transport = NodeStyleTransport.make({
        request: (url, options) => {
          requests++
          return http.request(url, { ...options, agent: false })
        }
      })
      const error = yield* Effect.flip(send(transport, HttpTransport.get("not a url")))
      expect(error.reason).toBe("encode")
      expect(requests).toBe(0)
    })
  )

  // A name lookup that never answers keeps a real socket `connecting` without a packet being sent
  // anywhere: the connect timeout is the only way out.
  const neverResolves = () => undefined

  it.live("cuts a connection still connecting after the timeout, with core's connect-timeout code", () =>
    Effect.gen(function* () {
      const transport = NodeStyleTransport.make({
        request: (url, options) => http.request(url, { ...options, agent: false, lookup: neverResolves }),
        connectTimeoutMs: 30
      })
      const error = yield* Effect.flip(send(transport, HttpTransport.get("http://localhost:9/token")))
      expect(error).toMatchObject({ _tag: "TransportError", reason: "request" })
      expect(error.cause).toBeInstanceOf(NodeConnection.ConnectTimeoutError)
      expect(error.cause).toMatchObject({
        _tag: "ConnectTimeoutError",
        code: "ERR_MI_CONNECT_TIMEOUT",
        host: "localhost:9",
        timeoutMs: 30,
        message: "connect timeout: no connection to localhost:9 within 30 ms"
      })
      expect(HttpTransport.CONNECT_TIMEOUT_CODE).toBe("ERR_MI_CONNECT_TIMEOUT")
      // Read by core as "no endpoint here", whichever transport raised it.
      const classified = Classification.classify({ source: "IMDS", transport: error.cause })
      expect(classified._tag === "Unavailable" && classified.reason).toBe("probe-timeout")
    })
  )

  it.live("times out a TLS connection too (its handshake counts as connecting)", () =>
    Effect.gen(function* () {
      const transport = NodeStyleTransport.make({
        request: (url, options) => https.request(url, { ...options, agent: false, lookup: neverResolves }),
        connectTimeoutMs: 30
      })
      const error = yield* Effect.flip(send(transport, HttpTransport.get("https://localhost:9/token")))
      expect(error.cause).toMatchObject({ code: "ERR_MI_CONNECT_TIMEOUT" })
    })
  )

  it.scoped("destroys the request when interrupted: the server sees the connection close", () =>
    Effect.gen(function* () {
      const arrived = signal()
      const hungUp = signal()
      // Never answers: only the client can end this exchange.
      const server = yield* serving((_, response) => {
        response.on("close", hungUp.resolve)
        arrived.resolve()
      })
      const fiber = yield* Effect.fork(
        send(NodeStyleTransport.make({ request: plain() }), HttpTransport.get(server.base))
      )
      yield* Effect.promise(() => arrived.promise)
      const exit = yield* Fiber.interrupt(fiber)
      expect(Exit.isInterrupted(exit)).toBe(true)
      // Resolves only when the client destroyed the request (the server never ends it).
      yield* Effect.promise(() => hungUp.promise)
      expect(server.received).toHaveLength(1)
    })
  )
})

describe("NodeStyleTransport.make: abandoned and background requests", () => {
  /** A server that never answers; `arrived` resolves with each request, `hungUp` when the client ends it. */
  const hanging = () =>
    Effect.gen(function* () {
      const arrived = signal()
      const hungUp = signal()
      const server = yield* serving((request, response) => {
        if (request.url === "/answer") return void response.end("ok")
        response.on("close", hungUp.resolve)
        arrived.resolve()
      })
      return { server, arrived, hungUp }
    })

  it.scoped.each([
    ["a caller waits for", true, false],
    ["nobody waits for (a background refresh)", false, true]
  ] as const)("a request %s holds the process open while in flight: %s", ([, holds, background]) =>
    Effect.gen(function* () {
      const { server, arrived, hungUp } = yield* hanging()
      const { request, sockets } = watched()
      const sending = send(NodeStyleTransport.make({ request }), HttpTransport.get(server.base))
      const fiber = yield* Effect.fork(Effect.locally(sending, HttpTransport.background, background))
      yield* Effect.promise(() => arrived.promise)
      expect(holdsProcess(sockets[0]!)).toBe(holds)
      yield* Fiber.interrupt(fiber)
      yield* Effect.promise(() => hungUp.promise)
    })
  )

  it.scoped("a kept-alive connection a background request used holds the process again for the next caller", () =>
    Effect.gen(function* () {
      const { server, arrived, hungUp } = yield* hanging()
      const agent = new http.Agent({ keepAlive: true })
      yield* Effect.addFinalizer(() => Effect.sync(() => agent.destroy()))
      const { request, sockets } = watched(agent)
      const transport = NodeStyleTransport.make({ request })
      const answered = yield* Effect.locally(
        send(transport, HttpTransport.get(`${server.base}/answer`)),
        HttpTransport.background,
        true
      )
      expect(answered.body).toBe("ok")
      const fiber = yield* Effect.fork(send(transport, HttpTransport.get(server.base)))
      yield* Effect.promise(() => arrived.promise)
      expect(server.connections()).toBe(1)
      expect(sockets[1]).toBe(sockets[0])
      expect(holdsProcess(sockets[1]!)).toBe(true)
      yield* Fiber.interrupt(fiber)
      yield* Effect.promise(() => hungUp.promise)
    })
  )

  it.live("an interrupted send aborts the signal it gave `request`, and its connect timer never fires", () =>
    Effect.gen(function* () {
      let given: AbortSignal | undefined
      const destroyedWith: Array<unknown> = []
      const transport = NodeStyleTransport.make({
        request: (url, options) => {
          given = options.signal
          // A name lookup that never answers: the socket stays `connecting`, so the timer is armed.
          const outgoing = http.request(url, { ...options, agent: false, lookup: () => undefined })
          const destroy = outgoing.destroy.bind(outgoing)
          outgoing.destroy = (error?: Error) => {
            destroyedWith.push(error)
            return destroy(error)
          }
          return outgoing
        },
        connectTimeoutMs: 50
      })
      const fiber = yield* Effect.fork(send(transport, HttpTransport.get("http://localhost:9/token")))
      yield* Effect.sleep("10 millis")
      yield* Fiber.interrupt(fiber)
      expect(given?.aborted).toBe(true)
      // Well past the connect timeout: a timer left behind would have destroyed the request again.
      yield* Effect.sleep("150 millis")
      expect(destroyedWith.length).toBeGreaterThan(0)
      expect(destroyedWith.some((error) => error instanceof NodeConnection.ConnectTimeoutError)).toBe(false)
    })
  )
})
