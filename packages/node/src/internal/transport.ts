import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import { CertificatePinning } from "@managed-identity/core"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import type * as Undici from "undici"
import type { Options } from "../NodeHttpClient.js"
import { pinnedConnector } from "./certificatePin.js"
import * as nodeHttp from "./nodeHttp.js"

/** @internal */
export type UndiciModule = typeof Undici

/**
 * undici costs 60–150 ms to import on a small VM; it is loaded only when a pinned client is first
 * needed (Service Fabric), so every other program keeps it off its cold start.
 *
 * @internal
 */
export const loadUndici: Effect.Effect<UndiciModule> = Effect.promise(() => import("undici"))

/**
 * The platform's fetch-based client, before our `fetch` and `RequestInit` are attached.
 *
 * @internal
 */
export const fetchClient: Effect.Effect<HttpClient.HttpClient> = Effect.provide(
  HttpClient.HttpClient,
  FetchHttpClient.layer
)

/** @internal */
export const defaultConnectTimeout: Duration.Duration = nodeHttp.defaultConnectTimeout

/** @internal */
export const makeAgent = (undici: UndiciModule, options: Options): Undici.Agent => {
  const timeout = Duration.toMillis(options.connectTimeout ?? defaultConnectTimeout)
  const connect: Partial<Undici.buildConnector.BuildOptions> | Undici.buildConnector.connector =
    options.pinnedThumbprint === undefined
      ? { timeout, ...(options.ca === undefined ? {} : { ca: options.ca }) }
      : pinnedConnector(
          // The pin replaces chain validation (Service Fabric's certificate is self-signed). No TLS
          // session cache: every new connection shows its certificate and is checked again.
          undici.buildConnector({ timeout, rejectUnauthorized: false, maxCachedSessions: 0 }),
          CertificatePinning.normalizeThumbprint(options.pinnedThumbprint)
        )
  return new undici.Agent({
    connect,
    // undici sends `connection: close` and never reuses a socket when pipelining is 0.
    pipelining: options.keepAlive === false ? 0 : 1,
    ...(options.maxSockets === undefined ? {} : { connections: options.maxSockets })
  })
}

/**
 * Attaches undici's `fetch` and the agent to every request. Ours are added to the caller's context
 * (not the other way round), so a `FetchHttpClient.Fetch` provided elsewhere in the program cannot
 * replace the no-proxy, no-redirect transport.
 *
 * @internal
 */
export const withAgent = (
  base: HttpClient.HttpClient,
  undici: UndiciModule,
  agent: Undici.Agent
): HttpClient.HttpClient => {
  const init = { dispatcher: agent, redirect: "manual" } as unknown as globalThis.RequestInit
  const fetch = undici.fetch as unknown as typeof globalThis.fetch
  return HttpClient.transformResponse(base, (effect) =>
    effect.pipe(
      Effect.provideService(FetchHttpClient.Fetch, fetch),
      Effect.provideService(FetchHttpClient.RequestInit, init)
    )
  )
}

/**
 * Closes the agent with its scope. `destroy` rather than `close`: a request to a black-holed
 * endpoint must not hold the scope open.
 *
 * @internal
 */
export const releaseAgent = (agent: Undici.Agent): Effect.Effect<void> =>
  Effect.ignore(Effect.tryPromise(() => agent.destroy()))

/**
 * The client for `options`: `node:http` / `node:https` (nodeHttp.ts) unless a thumbprint is pinned,
 * which needs undici's custom TLS connector. Its connection pools close with the scope.
 *
 * @internal
 */
export const make = (options: Options): Effect.Effect<HttpClient.HttpClient, never, Scope.Scope> =>
  options.pinnedThumbprint === undefined
    ? Effect.map(
        Effect.acquireRelease(
          Effect.sync(() => nodeHttp.make(options)),
          (pools) => Effect.sync(pools.destroy)
        ),
        (pools) => pools.client
      )
    : Effect.gen(function* () {
        const undici = yield* loadUndici
        const base = yield* fetchClient
        const agent = yield* Effect.acquireRelease(
          Effect.sync(() => makeAgent(undici, options)),
          releaseAgent
        )
        return withAgent(base, undici, agent)
      })
