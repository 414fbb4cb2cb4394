/**
 * The transport over `node:http` / `node:https`, for every endpoint that is not pinned by
 * thumbprint: node-shared's `NodeStyleTransport` does the request, the connect timeout and the
 * bounded body read; this module only picks the module and the keep-alive pool by the URL's scheme.
 *
 * Why not undici: loading the npm package costs 60–150 ms and its HTTP parser is WebAssembly compiled
 * on the first connection, all of it on the path of a serverless cold start; `node:http` is already in
 * the Node binary. It also does by construction what a token request needs: it never follows a
 * redirect and never reads `HTTP_PROXY`/`HTTPS_PROXY` (IMDS is link-local and must not be proxied).
 *
 * @internal
 */
import type * as HttpTransport from "@managed-identity/core/HttpTransport"
import * as NodeConnection from "@managed-identity/node-shared/NodeConnection"
import * as NodeStyleTransport from "@managed-identity/node-shared/NodeStyleTransport"
import * as Effect from "effect/Effect"
import type * as Http from "node:http"
import type * as Https from "node:https"
import type { Options } from "../NodeHttpTransport.js"

const isTls = (url: string): boolean => /^https:/i.test(url)

/**
 * Builds the transport and its two connection pools (plain and TLS), which `destroy` closes. Each
 * side (its module and its pool) is made on its first request.
 *
 * @internal
 */
export const make = (options: Options): { readonly transport: HttpTransport.Service; readonly destroy: () => void } => {
  const pool = NodeConnection.agentOptions(options)
  const timeoutMs = NodeConnection.connectTimeoutMs(options)
  // `node:http` by `process.getBuiltinModule` where there is one (no ES namespace to build: see
  // `NodeConnection.builtin`), else imported on the first plain-HTTP request.
  const loaded = NodeConnection.builtin<typeof Http>("node:http")
  let httpAgent: Http.Agent | undefined
  let plain: HttpTransport.Service | undefined
  const plainFor = (http: typeof Http): HttpTransport.Service => {
    if (plain === undefined) {
      const agent = new http.Agent(pool)
      // Closed already (a request racing the scope's end): no pool may outlive it.
      if (destroyed) agent.destroy()
      else httpAgent = agent
      plain = NodeStyleTransport.make({
        request: (url, init) => http.request(url, { ...init, agent }),
        connectTimeoutMs: timeoutMs
      })
    }
    return plain
  }
  const plainTransport: Effect.Effect<HttpTransport.Service> =
    loaded === undefined
      ? Effect.map(
          Effect.promise(() => import("node:http")),
          (http) => plainFor(http)
        )
      : Effect.sync(() => plainFor(loaded))
  let httpsAgent: Https.Agent | undefined
  let secure: HttpTransport.Service | undefined
  let destroyed = false
  const secureTransport = Effect.map(NodeConnection.loadTls, ({ https }) => {
    if (secure === undefined) {
      const agent = new https.Agent({ ...pool, ...(options.ca === undefined ? {} : { ca: options.ca }) })
      // Closed already (a request racing the scope's end): no pool may outlive it.
      if (destroyed) agent.destroy()
      else httpsAgent = agent
      secure = NodeStyleTransport.make({
        request: (url, init) => https.request(url, { ...init, agent }),
        connectTimeoutMs: timeoutMs
      })
    }
    return secure
  })
  return {
    transport: {
      send: (request, sendOptions) =>
        isTls(request.url)
          ? Effect.flatMap(secure === undefined ? secureTransport : Effect.succeed(secure), (transport) =>
              transport.send(request, sendOptions)
            )
          : plain === undefined
            ? Effect.flatMap(plainTransport, (transport) => transport.send(request, sendOptions))
            : plain.send(request, sendOptions)
    },
    destroy: () => {
      destroyed = true
      httpAgent?.destroy()
      httpsAgent?.destroy()
    }
  }
}
