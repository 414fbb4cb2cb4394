/**
 * What every fetch-based adapter's transport must do, run in Node against loopback servers (the
 * conformance suite runs the same adapters in their real runtimes): answer a redirect as it is,
 * probe a plain-HTTP endpoint before `fetch` so that nothing listening fails with the connect
 * error itself, and send the request's query. Deno's and Bun's `*HttpTransport` tests call it.
 */
import { describe, expect, it } from "@effect/vitest"
import { HttpTransport } from "@managed-identity/core"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import * as http from "node:http"
import type * as net from "node:net"
import * as Harness from "./Harness.js"

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

/** Registers the transport tests for one adapter. */
export const transportSuite = (
  name: string,
  adapter: {
    readonly make: (options: {
      readonly connectTimeout?: Duration.DurationInput
    }) => Effect.Effect<HttpTransport.Service, never, Scope.Scope>
    readonly layer: (options: {
      readonly connectTimeout?: Duration.DurationInput
    }) => Layer.Layer<HttpTransport.HttpTransport>
  }
): void => {
  describe(name, () => {
    it.scoped("answers a redirect as it is, without following it", () =>
      Effect.gen(function* () {
        const { seen, origin } = yield* redirecting
        const transport = yield* adapter.make({})
        const answer = yield* transport.send(HttpTransport.get(`${origin}/metadata/identity/oauth2/token`), {
          maxBodyBytes
        })
        expect(answer.status).toBe(302)
        expect(answer.headers.location).toBe("/elsewhere")
        expect(seen).toEqual(["/metadata/identity/oauth2/token"])
      })
    )

    it.scoped("probes a plain-HTTP endpoint first: nothing listening fails with the connect error", () =>
      Effect.gen(function* () {
        const port = yield* Effect.promise(Harness.closedPort)
        const transport = yield* adapter.make({ connectTimeout: "1 second" })
        const error = yield* Effect.flip(
          transport.send(HttpTransport.get(`http://127.0.0.1:${port}/metadata/identity/oauth2/token`), {
            maxBodyBytes
          })
        )
        expect(error._tag).toBe("TransportError")
        expect(error.reason).toBe("request")
        // The probe's own error (Node's), not fetch's wrapped "fetch failed".
        expect((error.cause as { code?: string } | undefined)?.code).toBe("ECONNREFUSED")
      })
    )

    it.scoped("the layer provides core's HttpTransport, which sends the request's query", () =>
      Effect.gen(function* () {
        const { seen, origin } = yield* redirecting
        const transport = yield* HttpTransport.HttpTransport
        const answer = yield* transport.send(
          HttpTransport.get(
            `${origin}/metadata/identity/oauth2/token?api-version=2018-02-01&resource=${encodeURIComponent("https://vault.azure.net")}`
          ),
          { maxBodyBytes }
        )
        expect(answer.status).toBe(302)
        expect(seen).toEqual([
          "/metadata/identity/oauth2/token?api-version=2018-02-01&resource=https%3A%2F%2Fvault.azure.net"
        ])
      }).pipe(Effect.provide(adapter.layer({ connectTimeout: "1 second" })))
    )
  })
}
