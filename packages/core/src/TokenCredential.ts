/**
 * The Promise API every adapter exposes as `ManagedIdentityCredential`: the `TokenCredential` shape
 * of `@azure/core-auth`, so it plugs into any Azure SDK client. Adapters subclass
 * `ManagedIdentityTokenCredential` with their runtime's layer; all the logic is here.
 *
 * A cache hit is answered synchronously from the token cache, without starting a fiber.
 *
 * @since 0.1.0
 */
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Option from "effect/Option"
import type { AccessToken } from "./AccessToken.js"
import * as Identity from "./Identity.js"
import * as ManagedIdentity from "./ManagedIdentity.js"
import type { ManagedIdentityError } from "./ManagedIdentityError.js"
import { processClock } from "./internal/background.js"

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
 * Builds the layer an adapter contributes for a given core configuration.
 *
 * @since 0.1.0
 * @category models
 */
export type LayerFor<S extends Settings = Settings> = (
  config: ConfigOf<S>
) => Layer.Layer<ManagedIdentity.ManagedIdentity, ManagedIdentityError>

/**
 * The `TokenCredential` implementation adapters subclass with their runtime's layer.
 * Construction validates the options and throws `InvalidArgumentError` on conflicting ids, as
 * `@azure/identity` does; nothing else throws: `getToken` rejects with `CredentialUnavailableError`,
 * `AuthenticationError`, `InvalidArgumentError` or `AbortError`, each with the core error as `cause`.
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
 * declare const layerFor: TokenCredential.LayerFor<MySettings>
 * class ManagedIdentityCredential extends TokenCredential.ManagedIdentityTokenCredential<MySettings> {
 *   constructor(options?: TokenCredential.ManagedIdentityCredentialOptions<MySettings>) {
 *     super(options ?? {}, layerFor)
 *   }
 * }
 * ```
 */
export class ManagedIdentityTokenCredential<S extends Settings = Settings> {
  readonly #runtime: ManagedRuntime.ManagedRuntime<ManagedIdentity.ManagedIdentity, ManagedIdentityError>
  #service: ManagedIdentity.Service | undefined

  constructor(options: ManagedIdentityCredentialOptions<S>, layerFor: LayerFor<S>) {
    const config = toConfig(options)
    if (Either.isLeft(config)) throw toError(config.left)
    // The process clock: a background refresh's waits do not keep an idle process alive.
    this.#runtime = ManagedRuntime.make(Layer.merge(layerFor(config.right), Layer.setClock(processClock)))
  }

  /**
   * A token for exactly one scope (`https://management.azure.com/.default`) or resource.
   */
  getToken(scopes: string | ReadonlyArray<string>, options: GetTokenOptions = {}): Promise<AccessTokenResult> {
    const signal = options.abortSignal
    if (signal?.aborted) return Promise.reject(new AbortError())
    // Fast path: a fresh cached token is answered without a fiber.
    if (this.#service !== undefined && options.claims === undefined) {
      const cached = this.#service.peek(scopes, Date.now())
      if (cached !== undefined) return Promise.resolve(toResult(cached))
    }
    const timeout = options.requestOptions?.timeout
    const program = Effect.flatMap(ManagedIdentity.ManagedIdentity, (mi) => {
      this.#service = mi
      return mi.getToken(scopes, {
        claims: options.claims,
        timeout: timeout !== undefined && timeout > 0 ? timeout : undefined
      })
    })
    return this.#run(program, signal)
  }

  /** Releases the runtime: background refreshes stop and connections close. */
  close(): Promise<void> {
    return this.#runtime.dispose()
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close()
  }

  #run(
    program: Effect.Effect<AccessToken, ManagedIdentityError, ManagedIdentity.ManagedIdentity>,
    signal: AbortSignalLike | undefined
  ): Promise<AccessTokenResult> {
    return new Promise<AccessTokenResult>((resolve, reject) => {
      const controller = new AbortController()
      const onAbort = () => controller.abort()
      signal?.addEventListener("abort", onAbort, { once: true })
      this.#runtime.runPromiseExit(program, { signal: controller.signal }).then(
        (exit) => {
          signal?.removeEventListener("abort", onAbort)
          if (Exit.isSuccess(exit)) return resolve(toResult(exit.value))
          if (signal?.aborted || Cause.isInterruptedOnly(exit.cause)) return reject(new AbortError())
          const failure = Cause.failureOption(exit.cause)
          if (Option.isSome(failure)) return reject(toError(failure.value))
          reject(
            new AuthenticationError(
              0,
              { error: "unexpected", errorDescription: "an unexpected defect occurred" },
              `ManagedIdentityCredential: unexpected failure: ${Cause.pretty(exit.cause)}`,
              { cause: Cause.squash(exit.cause) }
            )
          )
        },
        (defect: unknown) => {
          signal?.removeEventListener("abort", onAbort)
          reject(
            new AuthenticationError(
              0,
              { error: "unexpected", errorDescription: "an unexpected defect occurred" },
              "ManagedIdentityCredential: unexpected failure",
              { cause: defect }
            )
          )
        }
      )
    })
  }
}
