/**
 * The HTTP service: routes that need a managed-identity token, composed with the ManagedIdentity
 * layer. The routes only say `ManagedIdentity.getToken(...)`; which source, retries, cache, circuit
 * breaker and telemetry are the layer's business.
 */
import { createServer } from "node:http"
import * as HttpMiddleware from "@effect/platform/HttpMiddleware"
import * as HttpRouter from "@effect/platform/HttpRouter"
import * as HttpServer from "@effect/platform/HttpServer"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import { Diagnostics, ManagedIdentity, type ManagedIdentityError } from "@managed-identity/core"
import { NodeManagedIdentity } from "@managed-identity/node/effect"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"

const ARM = "https://management.azure.com/"

/** The claims of a JWT, decoded (not verified: the resource server verifies it). */
const claimsOf = (token: string): Record<string, unknown> => {
  try {
    return JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString("utf8")) as Record<string, unknown>
  } catch {
    return {}
  }
}

/** A failed acquisition as an HTTP answer: the typed error says which status and what to do. */
const failure = (error: ManagedIdentityError.ManagedIdentityError) => {
  const { summary, advice } = Diagnostics.explain(error)
  const status =
    error._tag === "Unavailable" || error._tag === "Transient" ? 503 : error._tag === "InvalidArgument" ? 400 : 502
  return HttpServerResponse.json({ error: error._tag, message: error.message, summary, advice }, { status })
}

/** `GET /whoami`: which identity this service runs as, from a token for Azure Resource Manager. */
const whoami = Effect.gen(function* () {
  const mi = yield* ManagedIdentity.ManagedIdentity
  const token = yield* mi.getToken(ARM)
  const claims = claimsOf(token.token)
  return yield* HttpServerResponse.json({
    source: mi.source,
    identity: { objectId: claims.oid, clientId: claims.appid, tenantId: claims.tid, resourceId: claims.xms_mirid },
    audience: claims.aud,
    expiresOn: new Date(token.expiresOn).toISOString(),
    refreshOn: new Date(token.refreshOn).toISOString()
  })
}).pipe(
  Effect.catchTags({
    Unavailable: failure,
    Transient: failure,
    Rejected: failure,
    InvalidResponse: failure,
    InvalidArgument: failure
  })
)

/** `GET /cache`: the token cache's statistics. */
const cache = Effect.gen(function* () {
  const mi = yield* ManagedIdentity.ManagedIdentity
  return yield* HttpServerResponse.json({ source: mi.source, endpoint: mi.endpoint, cache: yield* mi.cacheStats })
})

/** The routes. */
export const router = HttpRouter.empty.pipe(
  HttpRouter.get("/healthz", HttpServerResponse.text("ok")),
  HttpRouter.get("/whoami", whoami),
  HttpRouter.get("/cache", cache)
)

export interface Options {
  /** The port on 127.0.0.1; 0 picks a free one. */
  readonly port: number
  /** The ManagedIdentity layer's options (identity, environment, retry, ...). */
  readonly managedIdentity?: NodeManagedIdentity.Options | undefined
}

/**
 * The server: the router served on 127.0.0.1 with request logging, over the Node adapter's
 * ManagedIdentity layer. The endpoint guard admits loopback endpoints only: building the layer fails
 * (and the server does not start) if the environment names anything else. Deploying to Azure:
 * delete the `endpointGuard` line.
 */
export const layer = (options: Options) =>
  HttpServer.serve(router, HttpMiddleware.logger).pipe(
    HttpServer.withLogAddress,
    Layer.provide(
      NodeManagedIdentity.layer({ ...options.managedIdentity, endpointGuard: ManagedIdentity.allowLoopbackOnly })
    ),
    Layer.provideMerge(NodeHttpServer.layer(createServer, { port: options.port, host: "127.0.0.1" }))
  )
