/**
 * Bun's transport wiring, run in Node (the conformance suite runs it in the real Bun binary): core's
 * connect probe goes first, over `node:net`, and core's fetch transport never follows a redirect.
 * The probe itself is tested in core (test/ConnectProbe.test.ts).
 */
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { describe, expect, it } from "@effect/vitest"
import { HttpTransport } from "@managed-identity/core"
import * as Effect from "effect/Effect"
import * as http from "node:http"
import type * as net from "node:net"
import * as Harness from "../../conformance/src/Harness.js"
import { BunHttpClient } from "../src/index.js"

const redirecting = Effect.acquireRelease(
  Effect.promise(async () => {
    const seen: Array<string | undefined> = []
    const server = http.createServer((request, response) => {
      seen.push(request.url)
      response.writeHead(302, { location: "/elsewhere" }).end()
    })
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
    return { server, seen, origin: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}` }
  }),
  ({ server }) =>
    Effect.promise(
      () =>
        new Promise<void>((resolve) => {
          server.closeAllConnections()
          server.close(() => resolve())
        })
    )
)

const maxBodyBytes = 65_536

describe("BunHttpClient", () => {
  it.scoped("answers a redirect as it is, without following it", () =>
    Effect.gen(function* () {
      const { seen, origin } = yield* redirecting
      const transport = BunHttpClient.make()
      const answer = yield* transport.send(HttpClientRequest.get(`${origin}/metadata/identity/oauth2/token`), {
        maxBodyBytes
      })
      expect(answer.status).toBe(302)
      expect(answer.headers.location).toBe("/elsewhere")
      expect(seen).toEqual(["/metadata/identity/oauth2/token"])
    })
  )

  it.effect("probes a plain-HTTP endpoint first: nothing listening fails with the connect error", () =>
    Effect.gen(function* () {
      const port = yield* Effect.promise(Harness.closedPort)
      const transport = BunHttpClient.make({ connectTimeout: "1 second" })
      const error = yield* Effect.flip(
        transport.send(HttpClientRequest.get(`http://127.0.0.1:${port}/metadata/identity/oauth2/token`), {
          maxBodyBytes
        })
      )
      expect(error._tag).toBe("TransportError")
      expect(error.reason).toBe("request")
      // The probe's own error (Node's), not fetch's wrapped "fetch failed".
      expect((error.cause as { code?: string } | undefined)?.code).toBe("ECONNREFUSED")
    })
  )

  it.scoped("the layer provides core's HttpTransport, which sends the request's query and headers", () =>
    Effect.gen(function* () {
      const { seen, origin } = yield* redirecting
      const transport = yield* HttpTransport.HttpTransport
      const answer = yield* transport.send(
        HttpClientRequest.get(`${origin}/metadata/identity/oauth2/token`).pipe(
          HttpClientRequest.setUrlParams({ "api-version": "2018-02-01", resource: "https://vault.azure.net" })
        ),
        { maxBodyBytes }
      )
      expect(answer.status).toBe(302)
      expect(seen).toEqual([
        "/metadata/identity/oauth2/token?api-version=2018-02-01&resource=https%3A%2F%2Fvault.azure.net"
      ])
    }).pipe(Effect.provide(BunHttpClient.layer({ connectTimeout: "1 second" })))
  )
})
