/**
 * What a Promise-API credential shares with every other credential of the same configuration in
 * the process: one client per configuration (source, endpoint, identity, secret-bearing settings,
 * cache and retry options), so a credential built per invocation costs no request once a token is
 * cached, and concurrent fresh credentials make one request between them. Never shared across
 * identities, endpoints or secrets: they are all part of the key.
 *
 * A client serves the sources that read no file and pin no certificate (IMDS, App Service and
 * Functions, Azure ML, Cloud Shell) itself, without the Effect runtime: the same protocol steps,
 * retry policy, circuit breaker and cache rules as the Effect API's `ManagedIdentity`, driven by
 * promises (`promiseExchange.ts`). The other sources (workload identity, Azure Arc, Service
 * Fabric), and settings that are Effect values (`onRetry`), go to the Effect engine, loaded the
 * first time it is needed.
 *
 * @internal
 */
import * as Duration from "effect/Duration"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import type { AccessToken } from "../AccessToken.js"
import type * as CircuitBreaker from "../CircuitBreaker.js"
import type { Platform, Variables } from "../Environment.js"
import type { Identity } from "../Identity.js"
import {
  type EndpointError,
  InvalidArgument,
  type ManagedIdentityError,
  Transient,
  withAttempts
} from "../ManagedIdentityError.js"
import * as Resource from "../Resource.js"
import type { MakeOptions, RetryPolicy } from "../RetryPolicy.js"
import type { Source, SourceOptions } from "../Source.js"
import * as SourceCatalog from "../SourceCatalog.js"
import type { SourceName } from "../SourceName.js"
import * as SourceRequirements from "../SourceRequirements.js"
import { BreakerState } from "./breakerState.js"
import { key as cacheKey } from "./cacheKey.js"
import { attempt, type PlainSend } from "./promiseExchange.js"
import { REFRESH_RETRY_INTERVAL_MS, refreshDue } from "./refreshAhead.js"
import * as Policies from "./retryPolicy.js"
import { guardRefusal } from "./endpoint.js"
import { wrongIdentity } from "./tokenIdentity.js"

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
      readonly signal?: AbortSignal | undefined
      /** The caller's deadline: past it, a `Transient` timeout (the engine's `timeout`). */
      readonly timeoutMs?: number | undefined
    }
  ) => Promise<AccessToken>
  readonly peek: (scopes: string | ReadonlyArray<string>, now: number) => AccessToken | undefined
  readonly close: () => Promise<void>
}

/**
 * The rejection of an abandoned call.
 *
 * @internal
 */
export const ABORTED: unique symbol = Symbol.for("@managed-identity/core/TokenCredential/aborted")

/**
 * What the client needs to know of its configuration (core's `Config`).
 *
 * @internal
 */
export interface ClientConfig {
  readonly identity: Identity
  readonly source?: SourceName | undefined
  readonly sourceOptions?: SourceOptions | undefined
  readonly retry?: MakeOptions | false | undefined
  readonly cache?: { readonly maxEntries?: number | undefined } | false | undefined
  readonly circuitBreaker?: CircuitBreaker.Options | false | undefined
  readonly attemptTimeout?: Duration.DurationInput | undefined
  readonly endpointGuard?: ((endpoint: URL) => boolean) | undefined
  readonly verifyTokenIdentity?: boolean | undefined
  readonly onRetry?: unknown
  /** Every source on the engine (for its Effect telemetry). */
  readonly engineOnly?: boolean | undefined
}

/**
 * What an adapter gives a client: the environment it sees, the plain transport and file check,
 * what the runtime lacks or refuses, and how to load the engine (none: the runtime has no engine,
 * and what needs one is refused).
 *
 * @internal
 */
export interface ClientRuntime {
  readonly variables: Variables
  readonly platform: Platform
  readonly send?: PlainSend | undefined
  readonly exists?: ((path: string) => boolean) | undefined
  readonly lacks?: SourceCatalog.Lacks | undefined
  readonly admit?:
    | ((requirements: SourceRequirements.SourceRequirements) => ManagedIdentityError | undefined)
    | undefined
  readonly engine?: (() => Promise<Engine>) | undefined
  /** The clock (default `Date.now`): tests set it to walk a token through its life. */
  readonly now?: (() => number) | undefined
}

type Plan =
  | { readonly _tag: "Serve"; readonly source: Source; readonly policy: RetryPolicy }
  | { readonly _tag: "Engine" }
  | { readonly _tag: "Refused"; readonly error: ManagedIdentityError }

interface Flight {
  readonly promise: Promise<AccessToken>
  readonly controller: AbortController
  readonly background: boolean
  waiters: number
  settled: boolean
  /** Called when every caller left: the flight must not take new callers from then on. */
  abandoned?: (() => void) | undefined
}

interface Entry {
  readonly scopes: string | ReadonlyArray<string>
  token: AccessToken | undefined
  flight: Flight | undefined
  lastRefreshFailureAt: number | undefined
}

const DEFAULT_ATTEMPT_TIMEOUT_MS = 10_000
const DEFAULT_MAX_ENTRIES = 4096

const millisOf = (input: Duration.DurationInput | undefined, fallback: number): number =>
  input === undefined
    ? fallback
    : Option.match(Duration.decodeUnknown(input), { onNone: () => fallback, onSome: Duration.toMillis })

// A wait that ends early when `signal` aborts; in the background it does not hold the process open.
const sleep = (ms: number, signal: AbortSignal, background: boolean): Promise<void> =>
  new Promise((resolve, reject) => {
    if (signal.aborted) return reject(ABORTED)
    const onAbort = () => {
      clearTimeout(timer)
      reject(ABORTED)
    }
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort)
      resolve()
    }, ms)
    if (background) (timer as { unref?: () => unknown }).unref?.()
    signal.addEventListener("abort", onAbort, { once: true })
  })

/**
 * One client: its plan (serve, engine or refused), its cache and flights, its breaker.
 *
 * @internal
 */
export class Client {
  readonly #config: ClientConfig
  readonly #runtime: ClientRuntime
  #engine: Engine | undefined
  #loading: Promise<Engine> | undefined
  #plan: Plan | undefined
  #breaker: BreakerState | undefined
  readonly #entries = new Map<string, Entry>()
  readonly #claimed = new Set<Flight>()
  readonly #resolved = new Map<string, { readonly resource: Resource.Resource; readonly key: string }>()
  readonly #maxEntries: number
  readonly #now: () => number
  #closed = false
  /** Credentials using this client. */
  refs = 0

  constructor(config: ClientConfig, runtime: ClientRuntime) {
    this.#config = config
    this.#runtime = runtime
    this.#now = runtime.now ?? Date.now
    const max = config.cache === false ? undefined : config.cache?.maxEntries
    this.#maxEntries = max !== undefined && Number.isFinite(max) ? Math.max(1, Math.floor(max)) : DEFAULT_MAX_ENTRIES
  }

  /** A cached token, synchronously, when one needs no refresh yet (the fast path of every call). */
  peek(scopes: string | ReadonlyArray<string>): AccessToken | undefined {
    const now = this.#now()
    const engine = this.#engine
    if (engine !== undefined) return engine.peek(scopes, now)
    const raw = typeof scopes === "string" ? scopes : scopes.length === 1 ? scopes[0] : undefined
    const known = raw === undefined ? undefined : this.#resolved.get(raw)
    const token = known === undefined ? undefined : this.#entries.get(known.key)?.token
    return token !== undefined && now < token.refreshOn ? token : undefined
  }

  /**
   * A token: from the cache, from the flight in progress, or from a new acquisition. `signal` is
   * the caller's: a foreground acquisition is cancelled only when every caller waiting on it has
   * left. Past `timeoutMs` the caller leaves with a `Transient` timeout, as the Effect API's
   * `timeout` does (the engine is given it as that).
   */
  getToken(
    scopes: string | ReadonlyArray<string>,
    options: {
      readonly claims?: string | undefined
      readonly signal: AbortSignal
      readonly timeoutMs?: number | undefined
    }
  ): Promise<AccessToken> {
    const plan = this.#prepare()
    if (plan._tag === "Refused") return Promise.reject(plan.error)
    if (plan._tag === "Engine") return this.#viaEngine(scopes, options)
    const timeoutMs = options.timeoutMs
    if (timeoutMs === undefined || timeoutMs <= 0) return this.#serve(scopes, options.claims, options.signal, plan)
    const controller = new AbortController()
    const leave = () => controller.abort()
    options.signal.addEventListener("abort", leave, { once: true })
    let passed = false
    const timer = setTimeout(() => {
      passed = true
      controller.abort()
    }, timeoutMs)
    const done = () => {
      clearTimeout(timer)
      options.signal.removeEventListener("abort", leave)
    }
    return this.#serve(scopes, options.claims, controller.signal, plan).then(
      (token) => {
        done()
        return token
      },
      (error: unknown) => {
        done()
        if (error !== ABORTED || !passed) throw error
        const { name, endpoint } = plan.source
        throw new Transient({
          source: name,
          reason: "timeout",
          message: `${name}: the caller's deadline of ${Duration.format(Duration.millis(timeoutMs))} passed before a token arrived`,
          attempts: 0,
          elapsedMs: timeoutMs,
          endpoint
        })
      }
    )
  }

  #serve(
    scopes: string | ReadonlyArray<string>,
    claims: string | undefined,
    signal: AbortSignal,
    plan: Extract<Plan, { readonly _tag: "Serve" }>
  ): Promise<AccessToken> {
    const resolved = this.#resolve(scopes, plan.source)
    if (Either.isLeft(resolved)) return Promise.reject(resolved.left)
    const { resource, key } = resolved.right
    // A claims challenge wants a token minted with those claims: never one from the cache or from
    // an acquisition in flight. The new token then replaces the rejected one.
    if (claims !== undefined) return this.#challenged(scopes, resource, key, claims, plan, signal)
    if (this.#config.cache === false) {
      const flight = this.#fly(resource, undefined, plan, false, () => undefined)
      this.#claimed.add(flight)
      return this.#join(flight, signal)
    }
    const now = this.#now()
    let entry = this.#entries.get(key)
    if (entry !== undefined) {
      // A call that gets here (a miss, a refresh) moves its key last; a hit answered by `peek` does
      // not (it stays allocation-free), so eviction takes the oldest-acquired key first.
      this.#entries.delete(key)
      this.#entries.set(key, entry)
      const token = entry.token
      if (token !== undefined && now >= token.expiresOn) entry.token = undefined
      else if (token !== undefined) {
        if (now < token.refreshOn) return Promise.resolve(token)
        // Due for refresh but valid: answered now, refreshed in the background (spaced out after a
        // failed refresh), the token kept until it expires.
        if (refreshDue(entry.flight, entry.lastRefreshFailureAt, now, REFRESH_RETRY_INTERVAL_MS)) {
          this.#start(key, entry, resource, plan, true)
        }
        return Promise.resolve(token)
      }
    } else {
      entry = { scopes, token: undefined, flight: undefined, lastRefreshFailureAt: undefined }
      this.#entries.set(key, entry)
      this.#evict()
    }
    const flight = entry.flight ?? this.#start(key, entry, resource, plan, false)
    return this.#join(flight, signal)
  }

  /** Releases everything: flights are cancelled, the engine (if loaded) closed. */
  async close(): Promise<void> {
    this.#closed = true
    for (const entry of this.#entries.values()) entry.flight?.controller.abort()
    for (const flight of this.#claimed) flight.controller.abort()
    this.#entries.clear()
    this.#claimed.clear()
    const engine =
      this.#engine ?? (this.#loading === undefined ? undefined : await this.#loading.catch(() => undefined))
    if (engine !== undefined) await engine.close()
  }

  #viaEngine(
    scopes: string | ReadonlyArray<string>,
    options: {
      readonly claims?: string | undefined
      readonly signal: AbortSignal
      readonly timeoutMs?: number | undefined
    }
  ): Promise<AccessToken> {
    const load = this.#runtime.engine
    if (load === undefined) {
      return Promise.reject(
        new InvalidArgument({
          argument: "runtime",
          message: "this runtime's ManagedIdentityCredential cannot run this configuration (it has no Effect engine)"
        })
      )
    }
    this.#loading ??= load().then(async (engine) => {
      this.#engine = engine
      // Closed while loading: nothing may outlive the client.
      if (this.#closed) await engine.close()
      return engine
    })
    return this.#loading.then((engine) =>
      engine.getToken(scopes, { claims: options.claims, signal: options.signal, timeoutMs: options.timeoutMs })
    )
  }

  // Detects and builds the source once, with the same rules as the engine.
  #prepare(): Plan {
    if (this.#plan !== undefined) return this.#plan
    const config = this.#config
    const runtime = this.#runtime
    const decide = (): Plan => {
      if (runtime.send === undefined || config.engineOnly === true) return { _tag: "Engine" }
      const variables = runtime.variables
      const installed: Array<SourceName> = []
      if (config.source === undefined) {
        for (const agent of SourceCatalog.agentsToLookFor(variables, runtime.platform, config.sourceOptions)) {
          // No file system: nothing is installed. No way to look: let the engine detect.
          if (runtime.exists === undefined) {
            if (runtime.lacks?.fileSystem !== undefined) break
            return { _tag: "Engine" }
          }
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
      const refused = guardRefusal(config.endpointGuard, source)
      if (refused !== undefined) return { _tag: "Refused", error: refused }
      const refusal = runtime.admit?.(SourceRequirements.of(source))
      if (refusal !== undefined) return { _tag: "Refused", error: refusal }
      // A file to read, a certificate to pin, or a callback that is an Effect: the engine's.
      if (source.files.length > 0 || descriptor.certificatePinning || config.onRetry !== undefined) {
        return { _tag: "Engine" }
      }
      const policy =
        config.retry === false
          ? Policies.make({ ...descriptor.retry, maxRetries: 0, goneWindow: 0 })
          : Policies.make({ ...descriptor.retry, ...config.retry })
      if (config.circuitBreaker !== false) this.#breaker = new BreakerState(config.circuitBreaker ?? {})
      return { _tag: "Serve", source, policy }
    }
    this.#plan = decide()
    return this.#plan
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

  #evict(): void {
    for (const [key, entry] of this.#entries) {
      if (this.#entries.size <= this.#maxEntries) return
      // An entry with an acquisition in flight stays until it settles.
      if (entry.flight === undefined) this.#entries.delete(key)
    }
  }

  // Registers the one acquisition for `key`; it settles into the entry.
  #start(
    key: string,
    entry: Entry,
    resource: Resource.Resource,
    plan: Extract<Plan, { readonly _tag: "Serve" }>,
    background: boolean
  ): Flight {
    const flight = this.#fly(resource, undefined, plan, background, (outcome, now) => {
      if (entry.flight === flight) entry.flight = undefined
      if (outcome._tag === "Token") {
        // A token that is already expired is handed to the waiting callers but never cached.
        if (now < outcome.token.expiresOn && !this.#closed) {
          entry.token = outcome.token
          entry.lastRefreshFailureAt = undefined
        }
      } else if (background) {
        entry.lastRefreshFailureAt = now
      }
      // A failed acquisition is not cached: drop an entry that holds nothing usable.
      const usable = entry.token !== undefined && now < entry.token.expiresOn
      if (!usable && entry.flight === undefined && this.#entries.get(key) === entry) this.#entries.delete(key)
    })
    entry.flight = flight
    flight.abandoned = () => {
      if (entry.flight === flight) entry.flight = undefined
    }
    return flight
  }

  #challenged(
    scopes: string | ReadonlyArray<string>,
    resource: Resource.Resource,
    key: string,
    claims: string,
    plan: Extract<Plan, { readonly _tag: "Serve" }>,
    signal: AbortSignal
  ): Promise<AccessToken> {
    const flight = this.#fly(resource, claims, plan, false, (outcome, now) => {
      this.#claimed.delete(flight)
      if (outcome._tag !== "Token" || now >= outcome.token.expiresOn || this.#closed || this.#config.cache === false) {
        return
      }
      const entry = this.#entries.get(key)
      if (entry !== undefined) {
        entry.token = outcome.token
        entry.lastRefreshFailureAt = undefined
      } else {
        this.#entries.set(key, { scopes, token: outcome.token, flight: undefined, lastRefreshFailureAt: undefined })
        this.#evict()
      }
    })
    this.#claimed.add(flight)
    return this.#join(flight, signal)
  }

  // One acquisition: the breaker, then attempts under the retry policy until a token or a final error.
  #fly(
    resource: Resource.Resource,
    claims: string | undefined,
    plan: Extract<Plan, { readonly _tag: "Serve" }>,
    background: boolean,
    settle: (
      outcome: { readonly _tag: "Token"; readonly token: AccessToken } | { readonly _tag: "Failed" },
      now: number
    ) => void
  ): Flight {
    const controller = new AbortController()
    const flight: Flight = { promise: undefined as never, controller, background, waiters: 0, settled: false }
    const config = this.#config
    const { source, policy } = plan
    const breaker = this.#breaker
    const now = this.#now
    const attemptTimeoutMs = millisOf(config.attemptTimeout, DEFAULT_ATTEMPT_TIMEOUT_MS)
    const verify = config.verifyTokenIdentity !== false && config.identity._tag !== "SystemAssigned"
    const retried = async (): Promise<AccessToken> => {
      const startedAt = now()
      for (let retries = 0; ; retries++) {
        const outcome = await attempt(
          source.start({ identity: config.identity, resource, claims }),
          this.#runtime.send!,
          {
            signal: controller.signal,
            attemptTimeoutMs,
            now,
            background
          }
        )
        if (outcome._tag === "Aborted") throw ABORTED
        let error: EndpointError
        if (outcome._tag === "Token") {
          const wrong = wrongIdentity(source, config.identity, outcome.token, verify)
          if (wrong === undefined) return outcome.token
          error = wrong
        } else {
          error = outcome.error
        }
        const elapsedMs = Math.max(0, now() - startedAt)
        const delay = Policies.nextDelay(policy, { retries, elapsedMs }, error, policy.jitter > 0 ? Math.random() : 0.5)
        if (Option.isNone(delay)) throw withAttempts(error, retries + 1, elapsedMs)
        await sleep(delay.value, controller.signal, background)
      }
    }
    const run = async (): Promise<AccessToken> => {
      const admission = breaker?.admit(now())
      if (admission?._tag === "Refused") throw admission.error
      try {
        const token = await retried()
        breaker?.settle({ _tag: "Success" }, admission?.trial === true, now())
        return token
      } catch (error) {
        breaker?.settle(
          error === ABORTED ? { _tag: "Interrupted" } : { _tag: "Failure", error: error as EndpointError },
          admission?.trial === true,
          now()
        )
        throw error
      }
    }
    const promise = run().then(
      (token) => {
        flight.settled = true
        settle({ _tag: "Token", token }, now())
        return token
      },
      (error: unknown) => {
        flight.settled = true
        settle({ _tag: "Failed" }, now())
        throw error
      }
    )
    // Nobody may be left waiting when it fails (a background refresh, or every caller gave up):
    // never an unhandled rejection.
    promise.catch(() => undefined)
    return Object.assign(flight, { promise })
  }

  #join(flight: Flight, signal: AbortSignal): Promise<AccessToken> {
    flight.waiters++
    return new Promise<AccessToken>((resolve, reject) => {
      let left = false
      const leave = () => {
        if (left) return
        left = true
        flight.waiters--
        // The last caller of a foreground acquisition gave up: cancel it (its request and its waits).
        if (flight.waiters === 0 && !flight.settled && !flight.background) {
          flight.abandoned?.()
          flight.controller.abort()
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
