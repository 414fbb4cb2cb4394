/**
 * What a Promise-API credential shares with every other credential of the same configuration in
 * the process: one client per configuration (source, endpoint, identity, secret-bearing settings,
 * cache and retry options), so a credential built per invocation costs no request once a token is
 * cached, and concurrent fresh credentials make one request between them. Never shared across
 * identities, endpoints or secrets: they are all part of the key.
 *
 * A client answers its first token itself when the source allows it (one request, no file, no
 * pinned certificate: `firstRequest.ts`), without the Effect runtime; everything else — retries,
 * refresh-ahead, claims challenges, the other sources — goes to the Effect engine, loaded the first
 * time it is needed, which adopts the tokens the client already holds.
 *
 * @internal
 */
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import type { AccessToken } from "../AccessToken.js"
import type { Platform, Variables } from "../Environment.js"
import type { Identity } from "../Identity.js"
import {
  type EndpointError,
  InvalidArgument,
  InvalidResponse,
  type ManagedIdentityError
} from "../ManagedIdentityError.js"
import * as Resource from "../Resource.js"
import type { MakeOptions, RetryPolicy } from "../RetryPolicy.js"
import type { Source, SourceOptions } from "../Source.js"
import * as SourceCatalog from "../SourceCatalog.js"
import * as SourceRequirements from "../SourceRequirements.js"
import type { SourceName } from "../SourceName.js"
import { key as cacheKey } from "./cacheKey.js"
import { type PlainSend, attempt } from "./firstRequest.js"
import * as Policies from "./retryPolicy.js"
import { mismatch } from "./tokenIdentity.js"

/**
 * The Effect engine as the client sees it: promises in, promises out. It rejects with a
 * `ManagedIdentityError`, with `ABORTED` when the call was abandoned, or with anything else for a
 * defect.
 *
 * @internal
 */
export interface Engine {
  readonly getToken: (
    scopes: string | ReadonlyArray<string>,
    options: {
      readonly claims?: string | undefined
      readonly resumeAfter?: { readonly error: EndpointError; readonly startedAt: number } | undefined
      readonly signal?: AbortSignal | undefined
    }
  ) => Promise<AccessToken>
  readonly peek: (scopes: string | ReadonlyArray<string>, now: number) => AccessToken | undefined
  readonly adopt: (scopes: string | ReadonlyArray<string>, token: AccessToken) => Promise<void>
  readonly close: () => Promise<void>
}

/**
 * The rejection of an abandoned call.
 *
 * @internal
 */
export const ABORTED: unique symbol = Symbol.for("@managed-identity/core/TokenCredential/aborted")

/**
 * What the client needs to know of its configuration (core's `Config`, as far as the first request
 * goes).
 *
 * @internal
 */
export interface ClientConfig {
  readonly identity: Identity
  readonly source?: SourceName | undefined
  readonly sourceOptions?: SourceOptions | undefined
  readonly retry?: MakeOptions | false | undefined
  readonly cache?: { readonly maxEntries?: number | undefined } | false | undefined
  readonly attemptTimeout?: unknown
  readonly endpointGuard?: ((endpoint: URL) => boolean) | undefined
  readonly verifyTokenIdentity?: boolean | undefined
}

/**
 * What an adapter gives a client: the environment it sees, the plain transport and file check for
 * the first request, what the runtime lacks, and how to load the engine.
 *
 * @internal
 */
export interface ClientRuntime {
  readonly variables: Variables
  readonly platform: Platform
  readonly send?: PlainSend | undefined
  readonly exists?: ((path: string) => boolean) | undefined
  readonly lacks?: SourceCatalog.Lacks | undefined
  readonly admit?: ((requirements: SourceRequirements.SourceRequirements) => ManagedIdentityError | undefined) | undefined
  readonly engine: () => Promise<Engine>
}

interface Held {
  readonly scopes: string | ReadonlyArray<string>
  readonly token: AccessToken
}

interface Flight {
  readonly promise: Promise<AccessToken>
  readonly controller: AbortController
  waiters: number
  settled: boolean
}

type First =
  | { readonly _tag: "Ready"; readonly source: Source; readonly policy: RetryPolicy }
  | { readonly _tag: "Engine" }
  | { readonly _tag: "Refused"; readonly error: ManagedIdentityError }

const DEFAULT_ATTEMPT_TIMEOUT_MS = 10_000

const millisOf = (input: unknown): number | undefined => {
  if (typeof input === "number" && Number.isFinite(input) && input > 0) return input
  return undefined
}

/**
 * One client: first request, shared state, engine.
 *
 * @internal
 */
export class Client {
  readonly #config: ClientConfig
  readonly #runtime: ClientRuntime
  #engine: Engine | undefined
  #loading: Promise<Engine> | undefined
  #first: First | undefined
  readonly #held = new Map<string, Held>()
  readonly #flights = new Map<string, Flight>()
  readonly #resolved = new Map<string, { readonly resource: Resource.Resource; readonly key: string }>()
  #closed = false
  /** Credentials using this client. */
  refs = 0

  constructor(config: ClientConfig, runtime: ClientRuntime) {
    this.#config = config
    this.#runtime = runtime
  }

  /** A client whose every call fails with `error` (an environment the runtime may not read). */
  static refusing(error: ManagedIdentityError): Client {
    const client = new Client(
      { identity: undefined as never },
      {
        variables: {},
        platform: "posix",
        engine: () => Promise.reject(error)
      }
    )
    client.#first = { _tag: "Refused", error }
    return client
  }

  /** The engine, loading it the first time; it adopts every token the client holds. */
  engine(): Promise<Engine> {
    this.#loading ??= this.#runtime.engine().then(async (engine) => {
      for (const held of this.#held.values()) await engine.adopt(held.scopes, held.token)
      this.#held.clear()
      this.#engine = engine
      // Closed while loading: nothing may outlive the client.
      if (this.#closed) await engine.close()
      return engine
    })
    return this.#loading
  }

  /** A cached token, synchronously, when one is fresh (the fast path of every call). */
  peek(scopes: string | ReadonlyArray<string>, now: number): AccessToken | undefined {
    const engine = this.#engine
    if (engine !== undefined) return engine.peek(scopes, now)
    const raw = typeof scopes === "string" ? scopes : scopes.length === 1 ? scopes[0] : undefined
    const known = raw === undefined ? undefined : this.#resolved.get(raw)
    const held = known === undefined ? undefined : this.#held.get(known.key)
    return held !== undefined && now < held.token.refreshOn ? held.token : undefined
  }

  /**
   * A token, by the first request when the client can, else by the engine. `signal` is the caller's
   * (a flight is cancelled only when every caller waiting on it has left).
   */
  getToken(
    scopes: string | ReadonlyArray<string>,
    options: { readonly claims?: string | undefined; readonly signal: AbortSignal }
  ): Promise<AccessToken> {
    const first = this.#prepare()
    if (first._tag === "Refused") return Promise.reject(first.error)
    if (this.#engine !== undefined || options.claims !== undefined) return this.#viaEngine(scopes, options)
    if (first._tag === "Engine") return this.#viaEngine(scopes, options)
    const resolved = this.#resolve(scopes, first.source)
    if (Either.isLeft(resolved)) return Promise.reject(resolved.left)
    const { key } = resolved.right
    const held = this.#held.get(key)
    const now = Date.now()
    if (held !== undefined && now < held.token.refreshOn) return Promise.resolve(held.token)
    // Due for refresh (or expired): refresh-ahead is the engine's.
    if (held !== undefined) return this.#viaEngine(scopes, options)
    let flight = this.#flights.get(key)
    if (flight === undefined) {
      flight = this.#fly(scopes, key, first)
      this.#flights.set(key, flight)
    }
    return this.#join(key, flight, options.signal)
  }

  /** Releases the engine when the last credential is closed. */
  async close(): Promise<void> {
    this.#closed = true
    for (const flight of this.#flights.values()) flight.controller.abort()
    this.#flights.clear()
    this.#held.clear()
    const engine = this.#engine
    if (engine !== undefined) await engine.close()
  }

  #viaEngine(
    scopes: string | ReadonlyArray<string>,
    options: { readonly claims?: string | undefined; readonly signal: AbortSignal }
  ): Promise<AccessToken> {
    return this.engine().then((engine) => engine.getToken(scopes, { claims: options.claims, signal: options.signal }))
  }

  // Detects and builds the source once, with the same rules as the engine.
  #prepare(): First {
    if (this.#first !== undefined) return this.#first
    const config = this.#config
    const runtime = this.#runtime
    const decide = (): First => {
      if (runtime.send === undefined || config.cache === false) return { _tag: "Engine" }
      const variables = runtime.variables
      const installed: Array<SourceName> = []
      if (config.source === undefined) {
        for (const agent of SourceCatalog.agentsToLookFor(variables, runtime.platform, config.sourceOptions)) {
          // No way to look: let the engine detect.
          if (runtime.exists === undefined) return { _tag: "Engine" }
          if (runtime.exists(agent.path)) {
            installed.push(agent.source)
            break
          }
        }
      } else if (SourceCatalog.get(config.source).installedAt !== undefined) {
        return { _tag: "Engine" }
      }
      const descriptor =
        config.source === undefined ? SourceCatalog.select(variables, installed) : SourceCatalog.get(config.source)
      const built = SourceCatalog.build(
        descriptor,
        variables,
        { platform: runtime.platform, installed, options: config.sourceOptions },
        runtime.lacks
      )
      if (Either.isLeft(built)) return { _tag: "Refused", error: built.left }
      const source = built.right
      const guard = config.endpointGuard
      if (guard !== undefined) {
        let allowed = false
        try {
          allowed = guard(new URL(source.endpoint))
        } catch {
          allowed = false
        }
        if (!allowed) {
          return {
            _tag: "Refused",
            error: new InvalidArgument({
              argument: "endpointGuard",
              message: `${source.name}: the endpoint ${source.endpoint} is not allowed by the endpoint guard; no request was sent`
            })
          }
        }
      }
      const refusal = runtime.admit?.(SourceRequirements.of(source))
      if (refusal !== undefined) return { _tag: "Refused", error: refusal }
      // One request, no file, no pinned certificate: the first request can serve it.
      if (source.files.length > 0 || descriptor.certificatePinning) return { _tag: "Engine" }
      const policy =
        config.retry === false
          ? Policies.make({ ...descriptor.retry, maxRetries: 0, goneWindow: 0 })
          : Policies.make({ ...descriptor.retry, ...config.retry })
      return { _tag: "Ready", source, policy }
    }
    this.#first = decide()
    return this.#first
  }

  #resolve(
    scopes: string | ReadonlyArray<string>,
    source: Source
  ): Either.Either<{ readonly resource: Resource.Resource; readonly key: string }, InvalidArgument> {
    const raw = typeof scopes === "string" ? scopes : scopes.length === 1 ? scopes[0] : undefined
    const memo = raw === undefined ? undefined : this.#resolved.get(raw)
    if (memo !== undefined) return Either.right(memo)
    return Either.map(Resource.fromScopes(scopes), (resource) => {
      const entry = { resource, key: cacheKey({ source: source.name, identity: this.#config.identity, resource }) }
      if (raw !== undefined && this.#resolved.size < 10_000) this.#resolved.set(raw, entry)
      return entry
    })
  }

  #fly(scopes: string | ReadonlyArray<string>, key: string, first: Extract<First, { readonly _tag: "Ready" }>): Flight {
    const controller = new AbortController()
    const flight: Flight = { promise: undefined as never, controller, waiters: 0, settled: false }
    const config = this.#config
    const run = async (): Promise<AccessToken> => {
      const resource = Either.getOrThrow(this.#resolve(scopes, first.source)).resource
      const startedAt = Date.now()
      const outcome = await attempt(first.source.start({ identity: config.identity, resource }), this.#runtime.send!, {
        signal: controller.signal,
        attemptTimeoutMs: millisOf(config.attemptTimeout) ?? DEFAULT_ATTEMPT_TIMEOUT_MS,
        now: Date.now
      })
      if (outcome._tag === "Aborted") throw ABORTED
      if (outcome._tag === "Token") {
        const wrong = config.verifyTokenIdentity === false ? undefined : mismatch(config.identity, outcome.token)
        if (wrong !== undefined) {
          throw new InvalidResponse({
            source: first.source.name,
            reason: "wrong-identity",
            message: `${first.source.name} answered with a token for another identity: ${wrong}`,
            attempts: 1,
            elapsedMs: Math.max(0, Date.now() - startedAt),
            endpoint: first.source.endpoint
          })
        }
        if (this.#engine !== undefined) await this.#engine.adopt(scopes, outcome.token)
        else if (!this.#closed) this.#held.set(key, { scopes, token: outcome.token })
        return outcome.token
      }
      const error = outcome.error
      // Retried by the policy: the engine takes over, waiting its first delay before the next request.
      const retried = Option.isSome(
        Policies.nextDelay(first.policy, { retries: 0, elapsedMs: Date.now() - startedAt }, error, 0.5)
      )
      if (!retried) throw error
      const engine = await this.engine()
      return engine.getToken(scopes, { resumeAfter: { error, startedAt }, signal: controller.signal })
    }
    const promise = run().finally(() => {
      flight.settled = true
      if (this.#flights.get(key) === flight) this.#flights.delete(key)
    })
    // Nobody may be left waiting when it fails (every caller gave up): never an unhandled rejection.
    promise.catch(() => undefined)
    return Object.assign(flight, { promise })
  }

  #join(key: string, flight: Flight, signal: AbortSignal): Promise<AccessToken> {
    flight.waiters++
    return new Promise<AccessToken>((resolve, reject) => {
      let left = false
      const leave = () => {
        if (left) return
        left = true
        flight.waiters--
        // The last caller gave up: cancel the request (and any retry the engine took over).
        if (flight.waiters === 0 && !flight.settled) {
          flight.controller.abort()
          if (this.#flights.get(key) === flight) this.#flights.delete(key)
        }
        reject(ABORTED)
      }
      if (signal.aborted) return leave()
      signal.addEventListener("abort", leave, { once: true })
      flight.promise.then(
        (token) => {
          signal.removeEventListener("abort", leave)
          if (left) return
          left = true
          flight.waiters--
          resolve(token)
        },
        (error: unknown) => {
          signal.removeEventListener("abort", leave)
          if (left) return
          left = true
          flight.waiters--
          reject(error)
        }
      )
    })
  }
}
