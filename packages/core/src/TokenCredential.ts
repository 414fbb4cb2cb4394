/**
 * The Promise API every adapter exposes as `ManagedIdentityCredential`: the `TokenCredential` shape
 * of `@azure/core-auth`, so it plugs into any Azure SDK client. Adapters subclass
 * `ManagedIdentityTokenCredential` with their runtime's `Runtime`; all the logic is here.
 *
 * This module loads no Effect runtime: credentials of one configuration share one client per
 * process, which serves the sources that read no file and pin no certificate (IMDS, App Service and
 * Functions, Azure ML, Cloud Shell) itself, over the adapter's plain transport, with the same
 * protocol, retry policy, circuit breaker and cache rules as the Effect API. Workload identity,
 * Azure Arc and Service Fabric run on the Effect engine, loaded the first time it is needed.
 *
 * @since 0.1.0
 */
import * as Either from "effect/Either"
import type { AccessToken } from "./AccessToken.js"
import type { Platform, Variables } from "./Environment.js"
import * as Identity from "./Identity.js"
import type * as ManagedIdentity from "./ManagedIdentity.js"
import type { ManagedIdentityError } from "./ManagedIdentityError.js"
import * as SourceCatalog from "./SourceCatalog.js"
import type * as SourceRequirements from "./SourceRequirements.js"
import * as Client from "./internal/credentialClient.js"
import type * as PromiseExchange from "./internal/promiseExchange.js"
import * as PlainFetch from "./internal/plainFetch.js"
import { pick } from "./internal/variables.js"

/**
 * Retry options in `@azure/identity`'s shape.
 *
 * @since 0.1.0
 * @category models
 */
export interface RetryOptions {
  /** Retries after the first attempt (IMDS default: 5). */
  readonly maxRetries?: number | undefined
  /** The back-off delta in milliseconds (default 2000: waits ≈ 2, 6, 14, 30 s). */
  readonly retryDelayInMs?: number | undefined
  /** The longest wait between attempts in milliseconds (default 60000). */
  readonly maxRetryDelayInMs?: number | undefined
}

/**
 * Every core setting a credential takes under `managedIdentity` (all but the identity, which is
 * given the `@azure/identity` way). An adapter widens it with its runtime's own settings.
 *
 * @since 0.1.0
 * @category models
 */
export type Settings = Omit<ManagedIdentity.Config, "identity">

/**
 * Options of `ManagedIdentityCredential`: `@azure/identity`'s (`clientId`, `objectId`, `resourceId`,
 * `retryOptions`) plus this library's (`retry`, and `managedIdentity` for every core setting and the
 * adapter's own, `S`).
 *
 * @since 0.1.0
 * @category models
 */
export interface ManagedIdentityCredentialOptions<S extends Settings = Settings> extends Identity.IdentityOptions {
  /** Retry options (alias: `retryOptions`, as in `@azure/identity`). */
  readonly retry?: RetryOptions | undefined
  /** `@azure/identity`'s name for `retry`. */
  readonly retryOptions?: RetryOptions | undefined
  /** Any core setting (forced source, cache, circuit breaker, timeouts, endpoint guard, ...) and the adapter's. */
  readonly managedIdentity?: S | undefined
  /**
   * Share the process's token cache with every credential built with the same configuration
   * (identity, settings, environment), as `@azure/identity` does; `false` gives this credential its
   * own. Default `true`.
   */
  readonly sharedTokenCache?: boolean | undefined
  /**
   * Record the library's Effect telemetry (the `managed_identity.*` metrics in the process's Effect
   * metric registry, and spans): the credential then runs every source on the Effect engine, which
   * loads the Effect runtime. Default `false`: IMDS, App Service, Azure ML and Cloud Shell are served
   * without it, and record none.
   */
  readonly effectTelemetry?: boolean | undefined
}

/**
 * What a credential's options become: the adapter's settings with the identity validated and the
 * retry options merged, ready for the adapter's layer.
 *
 * @since 0.1.0
 * @category models
 */
export type ConfigOf<S extends Settings> = Partial<S> & {
  readonly identity: Identity.Identity
  readonly retry: ManagedIdentity.Config["retry"]
}

/**
 * An abort signal (the DOM `AbortSignal` or `@azure/abort-controller`'s `AbortSignalLike`).
 *
 * @since 0.1.0
 * @category models
 */
export interface AbortSignalLike {
  readonly aborted: boolean
  addEventListener(type: "abort", listener: () => void, options?: { once?: boolean }): void
  removeEventListener(type: "abort", listener: () => void): void
}

/**
 * Options of `getToken`, as `@azure/core-auth` defines them.
 *
 * @since 0.1.0
 * @category models
 */
export interface GetTokenOptions {
  readonly abortSignal?: AbortSignalLike | undefined
  readonly claims?: string | undefined
  /** Ignored: a managed identity belongs to one tenant. */
  readonly tenantId?: string | undefined
  readonly requestOptions?: { readonly timeout?: number | undefined } | undefined
  readonly tracingOptions?: unknown
}

/**
 * The token `getToken` resolves to (`@azure/core-auth`'s `AccessToken`).
 *
 * @since 0.1.0
 * @category models
 */
export interface AccessTokenResult {
  readonly token: string
  readonly expiresOnTimestamp: number
  readonly refreshAfterTimestamp?: number
  readonly tokenType: "Bearer" | "pop"
}

/**
 * `instanceof` for the Promise API's errors recognises a brand (a `Symbol.for` key on the prototype),
 * not only class identity: an adapter's pre-bundled Promise-API entry carries its own copy of these
 * classes, and an application can end up with two copies of core, yet `error instanceof
 * CredentialUnavailableError` must hold whichever copy threw it. Subclasses keep plain `instanceof`.
 */
const branded = (self: Function, base: Function, brand: symbol, value: unknown): boolean =>
  self === base
    ? typeof value === "object" && value !== null && brand in value
    : Function.prototype[Symbol.hasInstance].call(self, value)

const brand = (base: Function, key: symbol): void => {
  Object.defineProperty(base.prototype, key, { value: true })
}

const unavailableBrand = Symbol.for("@managed-identity/core/TokenCredential/CredentialUnavailableError")
const authenticationBrand = Symbol.for("@managed-identity/core/TokenCredential/AuthenticationError")
const invalidArgumentBrand = Symbol.for("@managed-identity/core/TokenCredential/InvalidArgumentError")
const abortBrand = Symbol.for("@managed-identity/core/TokenCredential/AbortError")

/**
 * No managed-identity endpoint is available here (or it cannot serve the identity asked for).
 * `ChainedTokenCredential` and `DefaultAzureCredential` move on to their next credential on it.
 * `cause` is the typed core error.
 *
 * @since 0.1.0
 * @category errors
 * @example
 * ```ts
 * import { TokenCredential } from "@managed-identity/core"
 *
 * try {
 *   // await credential.getToken("https://management.azure.com/.default")
 * } catch (e) {
 *   if (e instanceof TokenCredential.CredentialUnavailableError) console.log(e.cause)
 * }
 * ```
 */
export class CredentialUnavailableError extends Error {
  static override [Symbol.hasInstance](value: unknown): boolean {
    // biome-ignore lint/complexity/noThisInStatic: `this` is the subclass being tested, which keeps plain instanceof
    return branded(this, CredentialUnavailableError, unavailableBrand, value)
  }
  override readonly name = "CredentialUnavailableError"
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
  }
}

/**
 * The endpoint answered but gave no token: rejected, invalid response, or still failing after the
 * retry policy gave up. `statusCode` and `errorResponse` mirror `@azure/identity`'s error.
 *
 * @since 0.1.0
 * @category errors
 * @example
 * ```ts
 * import { TokenCredential } from "@managed-identity/core"
 *
 * const e = new TokenCredential.AuthenticationError(400, { error: "invalid_resource", errorDescription: "bad" }, "IMDS rejected the request")
 * console.log(e.statusCode, e.errorResponse.error) // 400 invalid_resource
 * ```
 */
export class AuthenticationError extends Error {
  static override [Symbol.hasInstance](value: unknown): boolean {
    // biome-ignore lint/complexity/noThisInStatic: `this` is the subclass being tested, which keeps plain instanceof
    return branded(this, AuthenticationError, authenticationBrand, value)
  }
  override readonly name = "AuthenticationError"
  readonly statusCode: number
  readonly errorResponse: { readonly error: string; readonly errorDescription: string }
  constructor(
    statusCode: number,
    errorResponse: { readonly error: string; readonly errorDescription: string },
    message: string,
    options?: { cause?: unknown }
  ) {
    super(message, options)
    this.statusCode = statusCode
    this.errorResponse = errorResponse
  }
}

/**
 * The caller's input is wrong (conflicting identity options, several scopes, a scope that is not a URI).
 *
 * @since 0.1.0
 * @category errors
 * @example
 * ```ts
 * import { TokenCredential } from "@managed-identity/core"
 *
 * const e = new TokenCredential.InvalidArgumentError("scopes: managed identity takes exactly one scope, got 2")
 * console.log(e instanceof TypeError) // true
 * ```
 */
export class InvalidArgumentError extends TypeError {
  static override [Symbol.hasInstance](value: unknown): boolean {
    // biome-ignore lint/complexity/noThisInStatic: `this` is the subclass being tested, which keeps plain instanceof
    return branded(this, InvalidArgumentError, invalidArgumentBrand, value)
  }
  override readonly name = "InvalidArgumentError"
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
  }
}

/**
 * The abort signal fired before a token arrived.
 *
 * @since 0.1.0
 * @category errors
 * @example
 * ```ts
 * import { TokenCredential } from "@managed-identity/core"
 *
 * new TokenCredential.AbortError().name // "AbortError"
 * ```
 */
export class AbortError extends Error {
  static override [Symbol.hasInstance](value: unknown): boolean {
    // biome-ignore lint/complexity/noThisInStatic: `this` is the subclass being tested, which keeps plain instanceof
    return branded(this, AbortError, abortBrand, value)
  }
  override readonly name = "AbortError"
  constructor(message = "The operation was aborted.") {
    super(message)
  }
}

brand(CredentialUnavailableError, unavailableBrand)
brand(AuthenticationError, authenticationBrand)
brand(InvalidArgumentError, invalidArgumentBrand)
brand(AbortError, abortBrand)

/**
 * Maps a core error to the Error class an `@azure/identity` user expects, with the core error as `cause`.
 *
 * @since 0.1.0
 * @category errors
 * @example
 * ```ts
 * import { ManagedIdentityError, TokenCredential } from "@managed-identity/core"
 *
 * const e = TokenCredential.toError(
 *   new ManagedIdentityError.Unavailable({ source: "IMDS", reason: "connection-refused", message: "IMDS: refused", attempts: 1, elapsedMs: 1 })
 * )
 * console.log(e.name) // "CredentialUnavailableError"
 * ```
 */
export const toError = (error: ManagedIdentityError): Error => {
  switch (error._tag) {
    case "Unavailable":
      return new CredentialUnavailableError(`ManagedIdentityCredential: ${error.message}`, { cause: error })
    case "InvalidArgument":
      return new InvalidArgumentError(`ManagedIdentityCredential: ${error.message}`, { cause: error })
    case "Rejected":
      return new AuthenticationError(
        error.status ?? 400,
        { error: error.error ?? "rejected", errorDescription: error.errorDescription ?? error.message },
        `ManagedIdentityCredential: ${error.message}`,
        { cause: error }
      )
    case "Transient":
    case "InvalidResponse":
      return new AuthenticationError(
        error.status ?? 0,
        {
          error: error._tag === "Transient" ? "transient_failure" : "invalid_response",
          errorDescription: error.message
        },
        `ManagedIdentityCredential: ${error.message}`,
        { cause: error }
      )
  }
}

/**
 * Turns a core `ManagedIdentityCredentialOptions` into the core `Config`, validating the identity.
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import * as Either from "effect/Either"
 * import { TokenCredential } from "@managed-identity/core"
 *
 * Either.isRight(TokenCredential.toConfig({ clientId: "abc", retry: { maxRetries: 2 } })) // true
 * ```
 */
export const toConfig = <S extends Settings = Settings>(
  options: ManagedIdentityCredentialOptions<S> = {}
): Either.Either<ConfigOf<S>, ManagedIdentityError> =>
  Either.map(Identity.fromOptions(options), (identity) => {
    const retry = options.retry ?? options.retryOptions
    const base: Partial<S> = options.managedIdentity ?? {}
    const retryOverrides: ManagedIdentity.Config["retry"] =
      retry === undefined
        ? base.retry
        : {
            ...(base.retry === false || base.retry === undefined ? {} : base.retry),
            ...(retry.maxRetries !== undefined ? { maxRetries: retry.maxRetries } : {}),
            ...(retry.retryDelayInMs !== undefined ? { delta: retry.retryDelayInMs } : {}),
            ...(retry.maxRetryDelayInMs !== undefined ? { maxDelay: retry.maxRetryDelayInMs } : {})
          }
    return { ...base, identity, retry: retryOverrides }
  })

const results = new WeakMap<AccessToken, AccessTokenResult>()

/**
 * The `@azure/core-auth` view of a core token (memoised, frozen).
 *
 * @since 0.1.0
 * @category conversions
 * @example
 * ```ts
 * import { AccessToken, TokenCredential } from "@managed-identity/core"
 *
 * declare const token: AccessToken.AccessToken
 * const { token: bearer, expiresOnTimestamp } = TokenCredential.toResult(token)
 * ```
 */
export const toResult = (token: AccessToken): AccessTokenResult => {
  let result = results.get(token)
  if (result === undefined) {
    result = Object.freeze({
      token: token.token,
      expiresOnTimestamp: token.expiresOn,
      refreshAfterTimestamp: token.refreshOn,
      tokenType: "Bearer" as const
    })
    results.set(token, result)
  }
  return result
}

/**
 * Normalizes `@azure/identity`'s two constructor forms: `(clientId, options?)` and `(options?)`.
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import { TokenCredential } from "@managed-identity/core"
 *
 * TokenCredential.normalizeArguments("abc") // { clientId: "abc" }
 * ```
 */
export const normalizeArguments = <S extends Settings>(
  clientIdOrOptions?: string | ManagedIdentityCredentialOptions<S>,
  options?: ManagedIdentityCredentialOptions<S>
): ManagedIdentityCredentialOptions<S> =>
  typeof clientIdOrOptions === "string" ? { ...options, clientId: clientIdOrOptions } : (clientIdOrOptions ?? {})

/**
 * What an adapter gives its credential: the environment it sees, a plain transport and a file check
 * (for the sources served without the Effect runtime), what the runtime lacks, and how to load the
 * Effect engine (a dynamic import, so a process that never needs it never loads it).
 *
 * @since 0.1.0
 * @category models
 */
export interface Runtime<S extends Settings = Settings> {
  /**
   * The adapter's name (`"node"`): credentials of one configuration share a cache across copies of
   * the adapter in one process (its ESM and CJS builds) only when they name the same runtime.
   */
  readonly name?: string | undefined
  /**
   * The variables the credential sees (`process.env`, or the `environment` setting) and the platform,
   * read when a credential is built. Only the managed-identity variables are read from the record
   * (`SourceCatalog.variableNames`), by name; it may throw a `ManagedIdentityError` (a runtime that
   * may not read its environment), which every `getToken` then rejects with.
   */
  readonly environment: (config: ConfigOf<S>) => { readonly variables: Variables; readonly platform: Platform }
  /** A plain transport; without one (or `undefined`), every request goes to the engine. */
  readonly send?: ((config: ConfigOf<S>) => PlainSend | undefined) | undefined
  /** Whether a file exists (an agent's executable, for detection), synchronously. */
  readonly exists?: ((path: string) => boolean) | undefined
  /** What the runtime cannot do (read files, pin certificates), in words. */
  readonly lacks?: SourceCatalog.Lacks | undefined
  /**
   * Whether the runtime may serve a source, checked once before its first request (Deno's network
   * and read permissions): the refusal every `getToken` then rejects with, or `undefined`. The
   * engine's layer checks the same.
   */
  readonly admit?:
    | ((requirements: SourceRequirements.SourceRequirements) => ManagedIdentityError | undefined)
    | undefined
  /**
   * The engine for a configuration and the variables the credential saw. A runtime without one
   * (the edge, which can serve no source that needs it) refuses, with an `InvalidArgument`, the
   * settings that would (`onRetry`, an Effect).
   */
  readonly engine?: ((config: ConfigOf<S>, variables: Variables) => Promise<Engine>) | undefined
  /** The clock (default `Date.now`), which tests set to walk a token through its life. */
  readonly now?: (() => number) | undefined
}

/**
 * A plain transport: one request, its answer read in full under the cap, as a `Promise`; it rejects
 * with an `HttpRequest.TransportError` and stops when `signal` aborts.
 *
 * @since 0.1.0
 * @category models
 */
export type PlainSend = PromiseExchange.PlainSend

/**
 * A plain transport over a `fetch` (the runtime's, or any): never follows a redirect, reads at most
 * the body cap. Deno's, Bun's and the edge's credentials use it.
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import { TokenCredential } from "@managed-identity/core"
 *
 * const send = TokenCredential.fetchSend((input, init) => globalThis.fetch(input, init))
 * ```
 */
export const fetchSend: (fetch: typeof globalThis.fetch) => PlainSend = PlainFetch.send

/**
 * The engine a credential hands the sources that need one to (`CredentialEngine.make`).
 *
 * @since 0.1.0
 * @category models
 */
export type Engine = Client.Engine

// -------------------------------------------------------------------------------------------------
// One client per configuration per process
// -------------------------------------------------------------------------------------------------

// Process-wide, not module-wide: a program that both `import`s and `require`s an adapter loads two
// copies of this module (its ESM and CJS builds), and they must share one cache. The version in the
// name changes whenever `Client`'s shape does, so copies that could not work together never meet.
interface Registry {
  readonly clients: Map<string, Client.Client>
  readonly ids: WeakMap<object, number>
  next: number
}
const REGISTRY = Symbol.for("@managed-identity/core/TokenCredential/registry@1")
const registryOf = (global: { [REGISTRY]?: Registry }): Registry => {
  const existing = global[REGISTRY]
  if (existing !== undefined) return existing
  const created: Registry = { clients: new Map(), ids: new WeakMap(), next: 0 }
  global[REGISTRY] = created
  return created
}
const registry = registryOf(globalThis as { [REGISTRY]?: Registry })

const idOf = (value: object): number => {
  let id = registry.ids.get(value)
  if (id === undefined) {
    id = ++registry.next
    registry.ids.set(value, id)
  }
  return id
}

// Everything that decides which tokens a credential gets and how: the runtime, the identity, every
// setting (a function by its identity), the variables (endpoints and secrets included) and the
// platform. Held in memory only, as the variables already are; never printed.
const sharingKey = (runtime: Runtime<never>, config: object, variables: Variables, platform: Platform): string =>
  JSON.stringify([runtime.name ?? `runtime#${idOf(runtime)}`, config, variables, platform], (_, value: unknown) =>
    typeof value === "function" ? `function#${idOf(value)}` : value
  )

const isManagedIdentityError = (u: unknown): u is ManagedIdentityError =>
  typeof u === "object" &&
  u !== null &&
  ["Unavailable", "Transient", "Rejected", "InvalidResponse", "InvalidArgument"].includes(
    (u as { readonly _tag?: unknown })._tag as string
  )

const rejectionOf = (error: unknown): Error => {
  if (error === Client.ABORTED) return new AbortError()
  if (isManagedIdentityError(error)) return toError(error)
  return new AuthenticationError(
    0,
    { error: "unexpected", errorDescription: "an unexpected defect occurred" },
    `ManagedIdentityCredential: unexpected failure${typeof error === "object" && error !== null && "message" in error ? `: ${String((error as { message: unknown }).message)}` : ""}`,
    { cause: error }
  )
}

/**
 * The `TokenCredential` every adapter exposes as `ManagedIdentityCredential`. Construction validates
 * the options (throwing `InvalidArgumentError` on conflicting ids, as `@azure/identity` does) and
 * joins the process's one client for this configuration (unless `sharedTokenCache: false`), so a
 * credential built per call is as cheap as one kept: a cached token is answered synchronously. Nothing
 * else throws: `getToken` rejects with `CredentialUnavailableError`, `AuthenticationError`,
 * `InvalidArgumentError` or `AbortError`, each with the core error as `cause`.
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import { TokenCredential } from "@managed-identity/core"
 *
 * interface MySettings extends TokenCredential.Settings {
 *   readonly connectTimeout?: number | undefined
 * }
 * declare const runtime: TokenCredential.Runtime<MySettings>
 * class ManagedIdentityCredential extends TokenCredential.ManagedIdentityTokenCredential<MySettings> {
 *   constructor(options?: TokenCredential.ManagedIdentityCredentialOptions<MySettings>) {
 *     super(options ?? {}, runtime)
 *   }
 * }
 * ```
 */
export class ManagedIdentityTokenCredential<S extends Settings = Settings> {
  // Exactly one of the two: the shared client, or why there is none (an environment the runtime may
  // not read).
  readonly #client: Client.Client | undefined
  readonly #refused: ManagedIdentityError | undefined
  readonly #key: string | undefined
  #closed = false

  constructor(options: ManagedIdentityCredentialOptions<S>, runtime: Runtime<S>) {
    const parsed = toConfig(options)
    if (Either.isLeft(parsed)) throw toError(parsed.left)
    const config = parsed.right
    let seen: { readonly variables: Variables; readonly platform: Platform }
    try {
      const raw = runtime.environment(config)
      seen = { variables: pick(raw.variables, SourceCatalog.variableNames), platform: raw.platform }
    } catch (error) {
      if (!isManagedIdentityError(error)) throw error
      // Not this credential's to throw (`@azure/identity` never throws for its environment): every
      // `getToken` says why.
      this.#key = undefined
      this.#client = undefined
      this.#refused = error
      return
    }
    this.#refused = undefined
    const { variables, platform } = seen
    const engineOnly = options.effectTelemetry === true
    this.#key =
      options.sharedTokenCache === false
        ? undefined
        : sharingKey(runtime as Runtime<never>, { config, engineOnly }, variables, platform)
    let client = this.#key === undefined ? undefined : registry.clients.get(this.#key)
    if (client === undefined) {
      client = new Client.Client(
        { ...config, engineOnly },
        {
          variables,
          platform,
          send: runtime.send?.(config),
          exists: runtime.exists,
          lacks: runtime.lacks,
          admit: runtime.admit,
          engine: runtime.engine === undefined ? undefined : () => runtime.engine!(config, variables),
          now: runtime.now
        }
      )
      if (this.#key !== undefined) registry.clients.set(this.#key, client)
    }
    client.refs++
    this.#client = client
  }

  /**
   * A token for exactly one scope (`https://management.azure.com/.default`) or resource.
   */
  getToken(scopes: string | ReadonlyArray<string>, options: GetTokenOptions = {}): Promise<AccessTokenResult> {
    const client = this.#client
    if (client === undefined) return Promise.reject(toError(this.#refused!))
    const signal = options.abortSignal
    if (signal?.aborted) return Promise.reject(new AbortError())
    // Fast path: a fresh cached token, answered at once (the common call, built per call or not).
    if (options.claims === undefined) {
      const cached = client.peek(scopes)
      if (cached !== undefined) return Promise.resolve(toResult(cached))
    }
    // The caller's signal may be any `AbortSignalLike`: the client gets a real one.
    const controller = new AbortController()
    const onAbort = () => controller.abort()
    signal?.addEventListener("abort", onAbort, { once: true })
    const done = () => signal?.removeEventListener("abort", onAbort)
    return client
      .getToken(scopes, {
        claims: options.claims,
        signal: controller.signal,
        timeoutMs: options.requestOptions?.timeout
      })
      .then(
        (token) => {
          done()
          return toResult(token)
        },
        (error: unknown) => {
          done()
          throw rejectionOf(error)
        }
      )
  }

  /**
   * Leaves the shared client; the last credential of a configuration to close it releases it (its
   * engine's background refreshes stop, connections close). Other credentials keep working.
   */
  close(): Promise<void> {
    if (this.#closed) return Promise.resolve()
    this.#closed = true
    const client = this.#client
    if (client === undefined) return Promise.resolve()
    client.refs--
    if (client.refs > 0) return Promise.resolve()
    if (this.#key !== undefined && registry.clients.get(this.#key) === client) registry.clients.delete(this.#key)
    return client.close()
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close()
  }
}
