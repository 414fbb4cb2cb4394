/**
 * A loopback `node:http` server for the transport tests: it answers with `respond` and records what
 * reached it (method, URL, headers, body) and how many connections were opened. Closed, with every
 * connection, when the scope ends.
 */
import * as Effect from "effect/Effect"
import * as http from "node:http"
import type * as net from "node:net"

export interface Received {
  readonly method: string | undefined
  readonly url: string | undefined
  readonly headers: http.IncomingHttpHeaders
  readonly body: string
}

/** A loopback `node:http` server answering with `respond`, recording what reached it. */
export const serving = (respond: (request: http.IncomingMessage, response: http.ServerResponse) => void) =>
  Effect.acquireRelease(
    Effect.promise(async () => {
      const received: Array<Received> = []
      let connections = 0
      const server = http.createServer((request, response) => {
        const chunks: Array<Buffer> = []
        request.on("data", (chunk: Buffer) => chunks.push(chunk))
        request.on("end", () => {
          received.push({
            method: request.method,
            url: request.url,
            headers: request.headers,
            body: Buffer.concat(chunks).toString("utf8")
          })
          respond(request, response)
        })
      })
      server.on("connection", () => connections++)
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
      const { port } = server.address() as net.AddressInfo
      return { server, port, base: `http://127.0.0.1:${port}`, received, connections: () => connections }
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
