import { describe, expect, it } from "@effect/vitest"
import { CertificatePinning, Classification, HttpTransport } from "@managed-identity/core"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as http from "node:http"
import * as net from "node:net"
import * as tls from "node:tls"
import * as NodeCertificatePinning from "../src/NodeCertificatePinning.js"
import * as PinnedHttpsTransport from "../src/PinnedHttpsTransport.js"
import { hasOpenssl, selfSigned, type TestCertificate } from "./fixtures/certificates.js"
import { causeChain, codesInChain, listen } from "./fixtures/servers.js"

const secret = "service-fabric-secret-value"

/**
 * A raw TLS server that records every application byte it receives and answers any request
 * with 200, so a client that skipped the pin check would visibly succeed.
 */
const tlsServer = (certificate: TestCertificate) =>
  Effect.gen(function* () {
    const received: Array<string> = []
    const server = tls.createServer({ key: certificate.key, cert: certificate.cert }, (socket) => {
      socket.on("data", (chunk: Buffer) => {
        received.push(chunk.toString("latin1"))
        socket.write("HTTP/1.1 200 OK\r\ncontent-length: 6\r\n\r\npinned")
      })
      socket.on("error", () => {})
    })
    const { port } = yield* listen(server)
    return { received, url: `https://127.0.0.1:${port}/metadata/identity/oauth2/token` }
  })

const request = (client: HttpTransport.Service, url: string) =>
  client.send(HttpTransport.get(url, { ["secret"]: secret }), {
    maxBodyBytes: 65_536
  })

const failureOf = <A, E>(exit: Exit.Exit<A, E>) =>
  Exit.isFailure(exit) && exit.cause._tag === "Fail" ? exit.cause.error : undefined

const pinError = (error: unknown) =>
  causeChain(error).find((link) => link instanceof NodeCertificatePinning.CertificatePinError) as
    | NodeCertificatePinning.CertificatePinError
    | undefined

const colons = (hex: string) => hex.toLowerCase().replace(/(..)(?!$)/g, "$1:")

describe("NodeCertificatePinning", () => {
  describe.skipIf(!hasOpenssl)("over TLS", () => {
    let right: TestCertificate
    let other: TestCertificate
    if (hasOpenssl) {
      right = selfSigned()
      other = selfSigned()
    }

    it.scoped("accepts the self-signed certificate whose SHA-256 thumbprint is pinned", () =>
      Effect.gen(function* () {
        const server = yield* tlsServer(right)
        const pinning = yield* NodeCertificatePinning.make()
        const client = yield* pinning.client(right.sha256)
        const answer = yield* request(client, server.url)
        expect(answer.status).toBe(200)
        expect(answer.body).toBe("pinned")
        expect(server.received.join("")).toContain(`secret: ${secret}`)
      })
    )

    it.scoped("accepts a SHA-1 thumbprint written in lower case with colons", () =>
      Effect.gen(function* () {
        const server = yield* tlsServer(right)
        const pinning = yield* NodeCertificatePinning.make()
        const client = yield* pinning.client(colons(right.sha1))
        expect((yield* request(client, server.url)).status).toBe(200)
      })
    )

    it.scoped("refuses another certificate before sending a single request byte", () =>
      Effect.gen(function* () {
        const server = yield* tlsServer(right)
        const pinning = yield* NodeCertificatePinning.make()
        for (const thumbprint of [other.sha256, other.sha1]) {
          const client = yield* pinning.client(thumbprint)
          const exit = yield* Effect.exit(request(client, server.url))
          expect(Exit.isFailure(exit)).toBe(true)
          const error = failureOf(exit)
          expect(error).toMatchObject({ _tag: "TransportError", reason: "request" })
          const pin = pinError(error)
          expect(pin?.reason).toBe("mismatch")
          expect(pin?.expected).toBe(thumbprint)
          expect(pin?.actual).toBe(thumbprint.length === 64 ? right.sha256 : right.sha1)
          expect(pin?.message).not.toContain(secret)
          // One class, so every adapter's pin failures are one type.
          expect(pin).toBeInstanceOf(PinnedHttpsTransport.CertificatePinError)
          // A wrong certificate is not retried and does not let a chain move on silently.
          expect(Classification.classify({ source: "ServiceFabric", transport: error?.cause })._tag).toBe("Rejected")
        }
        expect(server.received).toEqual([])
      })
    )

    it.scoped("refuses plain HTTP, so the secret header never travels in clear text", () =>
      Effect.gen(function* () {
        const seen: Array<string> = []
        const { port } = yield* listen(http.createServer((req, res) => res.end(seen.push(req.url ?? "") && "clear")))
        const pinning = yield* NodeCertificatePinning.make()
        const client = yield* pinning.client(right.sha256)
        const exit = yield* Effect.exit(request(client, `http://127.0.0.1:${port}/`))
        expect(pinError(failureOf(exit))?.reason).toBe("not-tls")
        expect(seen).toEqual([])
      })
    )

    it.scoped.each([
      { keepAlive: true, handshakes: 1, what: "reuses the connection for the pinned endpoint" },
      { keepAlive: false, handshakes: 3, what: "opens a connection per request when keepAlive is false" }
    ])("$what", ({ keepAlive, handshakes: expected }) =>
      Effect.gen(function* () {
        let handshakes = 0
        const server = tls.createServer({ key: right.key, cert: right.cert }, (socket) => {
          handshakes++
          socket.on("data", () => socket.write("HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok"))
        })
        const { port } = yield* listen(server)
        const pinning = yield* NodeCertificatePinning.make({ keepAlive })
        const client = yield* pinning.client(right.sha256)
        for (let i = 0; i < 3; i++) {
          expect((yield* request(client, `https://127.0.0.1:${port}/`)).body).toBe("ok")
          // Let a kept-alive socket go back to the pool before the next request.
          yield* Effect.async<void>((resume) => {
            setImmediate(() => resume(Effect.void))
          })
        }
        expect(handshakes).toBe(expected)
      })
    )

    it.scoped("gives up a TLS handshake that never completes after the connect timeout", () =>
      Effect.gen(function* () {
        // Accepts TCP and never speaks TLS: a black-holed Service Fabric endpoint.
        const { port } = yield* listen(net.createServer(() => {}))
        const pinning = yield* NodeCertificatePinning.make({ connectTimeout: "100 millis" })
        const client = yield* pinning.client(right.sha256)
        const error = failureOf(yield* Effect.exit(request(client, `https://127.0.0.1:${port}/`)))
        expect(error).toMatchObject({ _tag: "TransportError", reason: "request" })
        expect(codesInChain(error)).toContain("ERR_MI_CONNECT_TIMEOUT")
        expect(Classification.classify({ source: "ServiceFabric", transport: error?.cause })._tag).toBe("Unavailable")
      })
    )
  })

  it.scoped("gives one client per thumbprint, whatever its spelling", () =>
    Effect.gen(function* () {
      const pinning = yield* NodeCertificatePinning.make()
      const thumbprint = "0123456789ABCDEF0123456789ABCDEF01234567"
      const a = yield* pinning.client(thumbprint)
      const b = yield* pinning.client(colons(thumbprint))
      const c = yield* pinning.client("89ABCDEF0123456789ABCDEF0123456789ABCDEF")
      expect(b).toBe(a)
      expect(c).not.toBe(a)
    })
  )

  it.effect("pinnedClient: a value that is not a thumbprint gives a transport refusing every request unsent", () =>
    Effect.gen(function* () {
      const { client, close } = NodeCertificatePinning.pinnedClient()("my-password-by-mistake")
      // Never connects: the port is one nothing listens on, and the failure is the pin's, not a refusal.
      const error = yield* Effect.flip(request(client, "https://127.0.0.1:9/metadata/identity/oauth2/token"))
      close()
      expect(error).toMatchObject({ _tag: "TransportError", reason: "request" })
      expect(codesInChain(error)).toContain("ERR_MI_CERTIFICATE_PIN")
      expect(codesInChain(error)).not.toContain("ECONNREFUSED")
      expect(JSON.stringify(causeChain(error).map(String))).not.toContain("my-password-by-mistake")
      expect(Classification.classify({ source: "ServiceFabric", transport: error.cause })._tag).toBe("Rejected")
    })
  )

  it.scoped("is Unavailable for a thumbprint that is not hex, without quoting it", () =>
    Effect.gen(function* () {
      const pinning = yield* NodeCertificatePinning.make()
      const error = yield* Effect.flip(pinning.client("my-password-by-mistake"))
      expect(error._tag).toBe("Unavailable")
      expect(error.reason).toBe("not-configured")
      expect(error.source).toBe("ServiceFabric")
      expect(error.message).not.toContain("my-password-by-mistake")
    })
  )

  it.scoped("provides core's CertificatePinning as a layer", () =>
    Effect.gen(function* () {
      const context = yield* Layer.build(NodeCertificatePinning.layerWith({ connectTimeout: "2 seconds" }))
      const pinning = yield* Effect.provide(CertificatePinning.CertificatePinning, context)
      const defaults = yield* Effect.provide(
        CertificatePinning.CertificatePinning,
        yield* Layer.build(NodeCertificatePinning.layer)
      )
      const thumbprint = "AB".repeat(32)
      expect(yield* pinning.client(thumbprint)).toBe(yield* pinning.client(thumbprint))
      expect(yield* defaults.client(thumbprint)).not.toBe(yield* pinning.client(thumbprint))
    })
  )
})
