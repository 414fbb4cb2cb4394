/**
 * The send over `node:http` / `node:https`, for every endpoint that is not pinned by thumbprint:
 * node-shared's `NodePlainTransport` does the request, the connect timeout and the bounded body
 * read; this module only picks the module and the keep-alive pool by the URL's scheme, each made on
 * its first request (`node:https` and TLS load only for an `https:` endpoint). A plain `Promise`
 * send: the Promise API uses it as it is (one process-wide pair of pools), the Effect API's
 * `NodeHttpTransport` through `HttpTransport.fromPromise` (pools closed with its scope).
 *
 * Why not undici: loading the npm package costs 60–150 ms and its HTTP parser is WebAssembly compiled
 * on the first connection, all of it on the path of a serverless cold start; `node:http` is already in
 * the Node binary. It also does by construction what a token request needs: it never follows a
 * redirect and never reads `HTTP_PROXY`/`HTTPS_PROXY` (IMDS is link-local and must not be proxied).
 * The modules come from `process.getBuiltinModule` (see `NodePlainTransport.builtin`), never an ES
 * import.
 *
 * @internal
 */
import type { PlainSend } from "@managed-identity/core/HttpRequest"
import * as NodePlainTransport from "@managed-identity/node-shared/NodePlainTransport"
import type * as Http from "node:http"
import type * as Https from "node:https"
import type { ConnectionOptions } from "node:tls"

/** How the pools connect. @internal */
export interface PoolOptions {
  readonly connectTimeoutMs: number
  readonly keepAlive?: boolean | undefined
  readonly maxSockets?: number | undefined
  /** Extra certificate authorities for HTTPS endpoints. */
  readonly ca?: ConnectionOptions["ca"] | undefined
}

// Literal specifiers in the fallbacks, so bundlers see them.
const load = (tls: boolean): Promise<typeof Http | typeof Https> =>
  Promise.resolve(
    tls
      ? (NodePlainTransport.builtin<typeof Https>("node:https") ?? import("node:https"))
      : (NodePlainTransport.builtin<typeof Http>("node:http") ?? import("node:http"))
  )

/**
 * The send and its two pools (plain and TLS), which `destroy` closes; a pool made after that is
 * closed at once (a request racing the scope's end).
 *
 * @internal
 */
export const make = (options: PoolOptions): { readonly send: PlainSend; readonly destroy: () => void } => {
  const agentOptions = NodePlainTransport.agentOptions(options)
  const agents: Array<Http.Agent> = []
  let destroyed = false
  const sideFor = (tls: boolean): Promise<PlainSend> =>
    load(tls).then((module) => {
      const agent = new module.Agent({
        ...agentOptions,
        ...(tls && options.ca !== undefined ? { ca: options.ca } : {})
      })
      if (destroyed) agent.destroy()
      else agents.push(agent)
      return NodePlainTransport.make({
        request: (url, init) => module.request(url, { ...init, agent }),
        connectTimeoutMs: options.connectTimeoutMs
      })
    })
  const sides = new Map<boolean, Promise<PlainSend>>()
  return {
    send: (request, sendOptions) => {
      const tls = /^https:/i.test(request.url)
      let side = sides.get(tls)
      if (side === undefined) {
        side = sideFor(tls)
        sides.set(tls, side)
      }
      return side.then((send) => send(request, sendOptions))
    },
    destroy: () => {
      destroyed = true
      for (const agent of agents) agent.destroy()
    }
  }
}
