/**
 * The managed-identity service: `getToken(resource)` composed from the detected source, its retry
 * policy, a circuit breaker and the token cache, over abstract services an adapter provides
 * (`HttpTransport`, `Environment`, `FileReader`, `CertificatePinning`).
 *
 * The order of work for one call: validate the resource → cache (single-flight, refresh-ahead) →
 * circuit breaker → retry schedule → one attempt with a timeout → the source's request and parse.
 *
 * @since 0.1.0
 */
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import type { AccessToken } from "./AccessToken.js"
import type * as CertificatePinning from "./CertificatePinning.js"
import * as CircuitBreaker from "./CircuitBreaker.js"
import type * as Environment from "./Environment.js"
import type * as FileReader from "./FileReader.js"
import type { HttpTransport } from "./HttpTransport.js"
import * as Identity from "./Identity.js"
import {
  type EndpointError,
  type InvalidArgument,
  type InvalidResponse,
  type ManagedIdentityError,
  Transient
} from "./ManagedIdentityError.js"
import * as Resource from "./Resource.js"
import * as RetryPolicy from "./RetryPolicy.js"
import type * as Source from "./Source.js"
import type { SourceName } from "./SourceName.js"
import * as SourceRequirements from "./SourceRequirements.js"
import * as Telemetry from "./Telemetry.js"
import * as TokenCache from "./TokenCache.js"
import { guardRefusal, isLoopback } from "./internal/endpoint.js"
import * as Detection from "./internal/detection.js"
import * as Exchange from "./internal/exchange.js"
import { sha256Hex } from "./internal/digest.js"
import { wrongIdentity } from "./internal/tokenIdentity.js"
import * as TelemetryInternal from "./internal/telemetry.js"

/**
 * Options of one `getToken` call.
 *
 * @since 0.1.0
 * @category models
 */
export interface GetTokenOptions {
  /** Skip the cached token and ask the endpoint (still joins an acquisition already in flight). */
  readonly forceRefresh?: boolean | undefined
  /**
   * Claims from a CAE challenge: the token is minted anew (never from the cache nor an acquisition
   * in flight) and replaces the cached one; a source that can revoke (Service Fabric) is told which
   * token was rejected.
   */
  readonly claims?: string | undefined
  /** The caller's deadline for this call, retries included. Interruption always wins too. */
  readonly timeout?: Duration.DurationInput | undefined
}

/**
 * What a retry is about to do, for progress output (`attempt 3/6, next in 6 s, IMDS answered 410`).
 *
 * @since 0.1.0
 * @category models
 */
export interface RetryEvent {
  readonly source: SourceName
  readonly attempt: number
  readonly maxAttempts: number | undefined
  readonly delayMs: number
  readonly error: EndpointError
}

/**
 * How to build the service. Everything is optional: with no options the source is detected from the
 * environment and the system-assigned identity is used, as `@azure/identity` does.
 *
 * @since 0.1.0
 * @category models
 */
export interface Config {
  /** Which identity: an `Identity`, or `{ clientId } | { objectId } | { resourceId }`. Default: system-assigned. */
  readonly identity?: Identity.Identity | Identity.IdentityOptions | undefined
  /** Use this source instead of detecting one. */
  readonly source?: SourceName | undefined
  /** Code-level source options (Azure Arc's allowed key directory, ...). */
  readonly sourceOptions?: Source.SourceOptions | undefined
  /**
   * Overrides of the source's retry policy (durations as `Duration` inputs: milliseconds or
   * `"2 seconds"`), or `false` for a single attempt.
   */
  readonly retry?: RetryPolicy.MakeOptions | false | undefined
  /** Token cache options, or `false` to ask the endpoint on every call. */
  readonly cache?: { readonly maxEntries?: number | undefined } | false | undefined
  /** Circuit breaker options, or `false` to disable it. */
  readonly circuitBreaker?:
    | { readonly failureThreshold?: number | undefined; readonly cooldown?: Duration.DurationInput | undefined }
    | false
    | undefined
  /** The longest one request may take before it counts as a transient timeout. Default: 10 seconds. */
  readonly attemptTimeout?: Duration.DurationInput | undefined
  /**
   * Decides which endpoints may be contacted; checked once, when the service is built, against the
   * source's endpoint. Tests use `allowLoopbackOnly` so a misconfiguration fails closed instead of
   * reaching a real metadata service.
   */
  readonly endpointGuard?: ((endpoint: URL) => boolean) | undefined
  /** Called before each retry wait. */
  readonly onRetry?: ((event: RetryEvent) => Effect.Effect<void>) | undefined
  /**
   * Check that a token is for the user-assigned identity asked for (its `appid`/`azp`, `oid` or
   * `xms_mirid` claim, when it is a JWT that has it); a mismatch is an `InvalidResponse`
   * (`wrong-identity`). Default `true`.
   */
  readonly verifyTokenIdentity?: boolean | undefined
}

/**
 * The managed-identity service.
 *
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /** The source in use. */
  readonly source: SourceName
  /** The source's endpoint (no query string). */
  readonly endpoint: string
  /** What the source needs from the runtime: its origin, the files it reads, certificate pinning. */
  readonly requirements: SourceRequirements.SourceRequirements
  /** The identity requested. */
  readonly identity: Identity.Identity
  /** A token for a resource or for exactly one scope (`…/.default`). */
  readonly getToken: (
    resource: string | ReadonlyArray<string>,
    options?: GetTokenOptions
  ) => Effect.Effect<AccessToken, ManagedIdentityError>
  /**
   * The cached token for a resource or scope if it is valid and not yet due for refresh at `now`;
   * otherwise `undefined`. Synchronous and allocation-free: the Promise API's fast path.
   */
  readonly peek: (resource: string | ReadonlyArray<string>, now: number) => AccessToken | undefined
  /** Cache statistics, or `undefined` when the cache is disabled. */
  readonly cacheStats: Effect.Effect<TokenCache.CacheStats | undefined>
}

/**
 * The managed-identity service tag.
 *
 * @since 0.1.0
 * @category tags
 * @example
 * ```ts
 * import * as Effect from "effect/Effect"
 * import { ManagedIdentity } from "@managed-identity/core"
 *
 * const program = Effect.gen(function* () {
 *   const mi = yield* ManagedIdentity.ManagedIdentity
 *   const token = yield* mi.getToken("https://management.azure.com/")
 *   return token.expiresOn
 * })
 * ```
 */
export class ManagedIdentity extends Context.Tag("@managed-identity/core/ManagedIdentity")<
  ManagedIdentity,
  Service
>() {}

/**
 * The services an adapter provides for `make` and `layer`.
 *
 * @since 0.1.0
 * @category models
 */
export type Requirements =
  | HttpTransport
  | Environment.Environment
  | FileReader.FileReader
  | CertificatePinning.CertificatePinning

/**
 * Gets a token from the `ManagedIdentity` service in context.
 *
 * @since 0.1.0
 * @category accessors
 * @example
 * ```ts
 * import * as Effect from "effect/Effect"
 * import { ManagedIdentity } from "@managed-identity/core"
 *
 * const program = ManagedIdentity.getToken("https://vault.azure.net/.default").pipe(
 *   Effect.map((token) => `Bearer ${token.token}`)
 * )
 * ```
 */
export const getToken = (
  resource: string | ReadonlyArray<string>,
  options?: GetTokenOptions
): Effect.Effect<AccessToken, ManagedIdentityError, ManagedIdentity> =>
  Effect.flatMap(ManagedIdentity, (mi) => mi.getToken(resource, options))

/**
 * An endpoint guard that allows only loopback hosts (127.0.0.0/8, `localhost`, `[::1]`). Use it in
 * tests and local development so nothing can reach a real metadata service.
 *
 * @since 0.1.0
 * @category guards
 * @example
 * ```ts
 * import { ManagedIdentity } from "@managed-identity/core"
 *
 * ManagedIdentity.allowLoopbackOnly(new URL("http://127.0.0.1:8080/token")) // true
 * ManagedIdentity.allowLoopbackOnly(new URL("http://169.254.169.254/metadata")) // false
 * ```
 */
export const allowLoopbackOnly = (endpoint: URL): boolean => isLoopback(endpoint)

const DEFAULT_ATTEMPT_TIMEOUT = Duration.seconds(10)

const fromEither = <A>(either: Either.Either<A, InvalidArgument>): Effect.Effect<A, InvalidArgument> =>
  Either.isRight(either) ? Effect.succeed(either.right) : Effect.fail(either.left)

const resolveIdentity = (identity: Config["identity"]): Either.Either<Identity.Identity, InvalidArgument> =>
  identity !== undefined && "_tag" in identity ? Either.right(identity) : Identity.fromOptions(identity)

/**
 * Builds the service: detects (or uses the configured) source, checks its endpoint against the
 * guard, and composes cache, circuit breaker and retry. Background refreshes live in the scope.
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import * as Effect from "effect/Effect"
 * import { ManagedIdentity } from "@managed-identity/core"
 *
 * const program = Effect.scoped(
 *   Effect.gen(function* () {
 *     const mi = yield* ManagedIdentity.make({ identity: { clientId: "00000000-0000-0000-0000-000000000001" } })
 *     return yield* mi.getToken("https://storage.azure.com/")
 *   })
 * )
 * ```
 */
export const make = (
  config: Config = {}
): Effect.Effect<Service, InvalidArgument | ManagedIdentityError, Requirements | Scope.Scope> =>
  Effect.gen(function* () {
    const identity = yield* fromEither(resolveIdentity(config.identity))
    const source =
      config.source === undefined
        ? yield* Detection.detect(config.sourceOptions)
        : yield* Detection.make(config.source, config.sourceOptions)

    const refused = guardRefusal(config.endpointGuard, source)
    if (refused !== undefined) return yield* refused

    const context = yield* Effect.context<
      HttpTransport | FileReader.FileReader | CertificatePinning.CertificatePinning
    >()
    const attemptTimeout = Duration.decode(config.attemptTimeout ?? DEFAULT_ATTEMPT_TIMEOUT)
    const policy =
      config.retry === false
        ? RetryPolicy.make({ ...source.descriptor.retry, maxRetries: 0, goneWindow: Duration.zero })
        : RetryPolicy.make({ ...source.descriptor.retry, ...config.retry })
    const breaker =
      config.circuitBreaker === false ? undefined : yield* CircuitBreaker.make(config.circuitBreaker ?? {})
    const cache = config.cache === false ? undefined : yield* TokenCache.make(config.cache ?? {})
    const onRetry = config.onRetry

    const verify = config.verifyTokenIdentity !== false && identity._tag !== "SystemAssigned"
    const checked = (token: AccessToken): Effect.Effect<AccessToken, InvalidResponse> => {
      const wrong = wrongIdentity(source, identity, token, verify)
      return wrong === undefined ? Effect.succeed(token) : Effect.fail(wrong)
    }
    const attempt = (resource: Resource.Resource, claims: string | undefined, tokenToRefresh: string | undefined) =>
      Exchange.run(source.start({ identity, resource, claims, tokenToRefresh })).pipe(
        Effect.flatMap(checked),
        Effect.timeoutFail({
          duration: attemptTimeout,
          onTimeout: () =>
            new Transient({
              source: source.name,
              reason: "timeout",
              message: `${source.name}: no answer from ${source.endpoint} within ${Duration.format(attemptTimeout)}`,
              attempts: 1,
              elapsedMs: Duration.toMillis(attemptTimeout),
              endpoint: source.endpoint
            })
        }),
        Effect.provide(context)
      )

    const acquire = (resource: Resource.Resource, claims: string | undefined, tokenToRefresh?: string | undefined) => {
      const retried = RetryPolicy.retry(policy, {
        onRetry: (info) =>
          Effect.zipRight(
            Telemetry.recordRetry(source.name),
            onRetry === undefined ? Effect.void : onRetry({ source: source.name, ...info })
          )
      })(attempt(resource, claims, tokenToRefresh))
      return breaker === undefined ? retried : breaker.protect(retried)
    }

    // The resource and cache key are memoised per raw input, so a cache hit (either API) does no
    // parsing. Bounded: callers with endless distinct scopes just parse every time.
    const known = new Map<string, { readonly resource: Resource.Resource; readonly key: string }>()
    const rawKey = (input: string | ReadonlyArray<string>): string | undefined =>
      typeof input === "string" ? input : input.length === 1 ? input[0] : undefined
    const resolve = (input: string | ReadonlyArray<string>) => {
      const raw = rawKey(input)
      const memo = raw === undefined ? undefined : known.get(raw)
      if (memo !== undefined) return Either.right(memo)
      return Either.map(Resource.fromScopes(input), (resource) => {
        const entry = { resource, key: TokenCache.key({ source: source.name, identity, resource }) }
        if (raw !== undefined && known.size < 10_000) known.set(raw, entry)
        return entry
      })
    }

    // A claims challenge (CAE) rejected the token the cache holds: mint a new one with the claims,
    // telling a source that can revoke which token was rejected (its SHA-256, never the token), and
    // hold the new token in its place so later calls do not get the rejected one back.
    const challenged = (resource: Resource.Resource, key: string, claims: string) =>
      Effect.flatMap(Clock.currentTimeMillis, (now) => {
        const rejected =
          source.descriptor.claims === "revocation" && cache !== undefined ? cache.current(key, now) : undefined
        return Effect.flatMap(
          rejected === undefined ? Effect.succeed(undefined) : sha256Hex(rejected.token),
          (tokenToRefresh) =>
            Effect.tap(acquire(resource, claims, tokenToRefresh), (token) =>
              Effect.flatMap(Clock.currentTimeMillis, (at) => Effect.sync(() => cache?.set(key, token, at)))
            )
        )
      })

    const identityKind = identity._tag
    const spanOf = { source: source.name, identityKind } as const
    const getToken: Service["getToken"] = (input, options = {}) =>
      TelemetryInternal.traceGetToken<AccessToken, ManagedIdentityError, never>(spanOf, (span, now) => {
        const resolved = resolve(input)
        if (Either.isLeft(resolved)) return Effect.fail(resolved.left)
        const { resource, key } = resolved.right
        span.attribute(Telemetry.attributes.resource, resource)
        // A claims challenge wants a token minted with those claims: never one from the cache or
        // from an acquisition already in flight.
        const cached = cache !== undefined && options.claims === undefined
        if (cached && options.forceRefresh !== true) {
          // The common case, answered without running the cache's effect: a token that needs no
          // refresh yet. Everything else (a miss, a refresh due, an expired token) goes below.
          const token = cache.peek(key, now)
          if (token !== undefined) return Effect.as(TelemetryInternal.recordCacheHitOn(span), token)
        }
        const run = cached
          ? cache.get(
              key,
              // Built only on a miss: a cache hit must not pay for building the request.
              Effect.suspend(() => acquire(resource, undefined)),
              { forceRefresh: options.forceRefresh === true }
            )
          : options.claims === undefined || cache === undefined
            ? acquire(resource, options.claims)
            : challenged(resource, key, options.claims)
        const withDeadline =
          options.timeout === undefined
            ? run
            : Effect.timeoutFail(run, {
                duration: options.timeout,
                onTimeout: () =>
                  new Transient({
                    source: source.name,
                    reason: "timeout",
                    message: `${source.name}: the caller's deadline of ${Duration.format(Duration.decode(options.timeout!))} passed before a token arrived`,
                    attempts: 0,
                    elapsedMs: Duration.toMillis(Duration.decode(options.timeout!)),
                    endpoint: source.endpoint
                  })
              })
        return Effect.withParentSpan(withDeadline, span)
      })

    const peek: Service["peek"] = (input, now) => {
      if (cache === undefined) return undefined
      const raw = rawKey(input)
      if (raw === undefined) return undefined
      const memo = known.get(raw)
      return memo === undefined ? undefined : cache.peek(memo.key, now)
    }

    return {
      source: source.name,
      endpoint: source.endpoint,
      requirements: SourceRequirements.of(source),
      identity,
      getToken,
      peek,
      cacheStats: cache === undefined ? Effect.succeed(undefined) : cache.stats
    } satisfies Service
  })

/**
 * The service as a layer over the adapter's services.
 *
 * @since 0.1.0
 * @category layers
 * @example
 * ```ts
 * import * as Effect from "effect/Effect"
 * import { ManagedIdentity } from "@managed-identity/core"
 *
 * const ManagedIdentityLive = ManagedIdentity.layer({ identity: { clientId: "00000000-0000-0000-0000-000000000001" } })
 * const program = ManagedIdentity.getToken("https://management.azure.com/")
 * // Effect.runPromise(program.pipe(Effect.provide(ManagedIdentityLive), Effect.provide(NodeServices)))
 * ```
 */
export const layer = (
  config: Config = {}
): Layer.Layer<ManagedIdentity, InvalidArgument | ManagedIdentityError, Requirements> =>
  Layer.scoped(ManagedIdentity, make(config))
