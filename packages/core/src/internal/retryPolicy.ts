/**
 * The retry policies as data and the pure decision of the next wait: no Effect runtime, so a
 * source's descriptor can name its policy and the Promise API's first attempt can decide whether a
 * failure is worth retrying without loading the runtime. `retry.ts` turns them into Effect loops.
 *
 * @internal
 */
import * as Duration from "effect/Duration"
import * as Option from "effect/Option"
import type { EndpointError } from "../ManagedIdentityError.js"
import type * as RetryPolicy from "../RetryPolicy.js"

/**
 * IMDS answers 410 while it is being updated and is back "within 70 seconds" (seed: retry guidance).
 * Waits on 410 are capped at 10 s: the exponential shape would otherwise wait 30 s and then 60 s,
 * overshooting the moment IMDS comes back by up to a minute. Ten seconds keeps the caller at most
 * ~10 s late while sending only a handful of requests, far below IMDS's throttling limits.
 */
export const GONE_MAX_DELAY_MS = 10_000

/** Beyond 2^52 the power no longer fits a double's integer range; the cap applies long before. */
const MAX_EXPONENT = 52

const isGone = (error: EndpointError): boolean => error._tag === "Transient" && error.status === 410

const retryAfterOf = (error: EndpointError): number | undefined =>
  error._tag === "Transient" && error.retryAfterMs !== undefined && Number.isFinite(error.retryAfterMs)
    ? Math.max(0, error.retryAfterMs)
    : undefined

const nonNegativeInt = (n: number, fallback: number): number =>
  Number.isFinite(n) ? Math.max(0, Math.floor(n)) : n === Number.POSITIVE_INFINITY ? Number.MAX_SAFE_INTEGER : fallback

const clampFraction = (n: number): number => (Number.isFinite(n) ? Math.min(1, Math.max(0, n)) : 0)

/** Transient failures only: a refusal will not change, and a missing endpoint must let a chain move on. */
export const isTransient = (error: EndpointError): boolean => error._tag === "Transient"

/**
 * An endpoint named by the environment (App Service, Functions, Azure ML, ...) that refuses a
 * connection, or that the sandbox forbids a socket to, is failing now, not absent: the Functions
 * write-up's "credential unavailable" and "socket access forbidden" errors heal on retry. They stay
 * `Unavailable` when the policy gives up, so a chain still moves on. IMDS, the default that may not
 * exist at all, never retries them: its first request is the probe.
 */
const isConfiguredEndpointDown = (error: EndpointError): boolean =>
  error._tag === "Unavailable" &&
  (error.reason === "connection-refused" || error.reason === "access-denied" || error.reason === "probe-timeout")

/** A body cut off mid-way: the endpoint answered, so whatever the status line said, try again. */
const isInterruptedBody = (error: EndpointError): boolean =>
  error._tag === "Transient" && error.reason === "body-interrupted"

/** App Service, Azure ML, Cloud Shell, Service Fabric, Arc: network failures, timeouts, 404, 408, 429 and 5xx. */
export const isRetryableHostStatus = (error: EndpointError): boolean =>
  isConfiguredEndpointDown(error) ||
  isInterruptedBody(error) ||
  (error._tag === "Transient" &&
    (error.status === undefined ||
      error.status === 404 ||
      error.status === 408 ||
      error.status === 429 ||
      error.status >= 500))

/** Entra ID (workload identity): network failures, timeouts, 408, 429 and 5xx; a 404 names a wrong tenant. */
export const isRetryableEntraStatus = (error: EndpointError): boolean =>
  isConfiguredEndpointDown(error) ||
  isInterruptedBody(error) ||
  (error._tag === "Transient" &&
    (error.status === undefined || error.status === 408 || error.status === 429 || error.status >= 500))

/** Service Fabric: as the other hosts, but not 404 (its documentation: do not retry a 404). */
export const isRetryableServiceFabricStatus = (error: EndpointError): boolean =>
  isRetryableHostStatus(error) && !(error._tag === "Transient" && error.status === 404)

export const imds: RetryPolicy.RetryPolicy = {
  maxRetries: 5,
  delta: Duration.seconds(2),
  maxDelay: Duration.seconds(60),
  jitter: 0.2,
  firstFastRetry: false,
  goneWindow: Duration.seconds(70),
  maxRetryAfter: Duration.seconds(60),
  retryOn: isTransient
}

export const appService: RetryPolicy.RetryPolicy = {
  ...imds,
  // 410 means "IMDS is updating"; other endpoints give it no such promise, so no extended window.
  goneWindow: Duration.zero,
  retryOn: isRetryableHostStatus
}

export const serviceFabric: RetryPolicy.RetryPolicy = {
  ...imds,
  goneWindow: Duration.zero,
  retryOn: isRetryableServiceFabricStatus
}

export const workloadIdentity: RetryPolicy.RetryPolicy = {
  ...imds,
  goneWindow: Duration.zero,
  retryOn: isRetryableEntraStatus
}

export const make = (overrides: RetryPolicy.MakeOptions = {}): RetryPolicy.RetryPolicy => {
  const base = imds
  const duration = (input: Duration.DurationInput | undefined, fallback: Duration.Duration): Duration.Duration => {
    if (input === undefined) return fallback
    const decoded = Duration.decodeUnknown(input)
    return Option.isSome(decoded) ? decoded.value : fallback
  }
  return {
    maxRetries: overrides.maxRetries === undefined ? base.maxRetries : nonNegativeInt(overrides.maxRetries, 0),
    delta: duration(overrides.delta, base.delta),
    maxDelay: duration(overrides.maxDelay, base.maxDelay),
    jitter: overrides.jitter === undefined ? base.jitter : clampFraction(overrides.jitter),
    firstFastRetry: overrides.firstFastRetry ?? base.firstFastRetry,
    goneWindow: duration(overrides.goneWindow, base.goneWindow),
    maxRetryAfter: duration(overrides.maxRetryAfter, base.maxRetryAfter),
    retryOn: overrides.retryOn ?? base.retryOn
  }
}

const toMillis = (d: Duration.Duration): number => {
  const ms = Duration.toMillis(d)
  return Number.isFinite(ms) ? Math.max(0, ms) : Number.MAX_SAFE_INTEGER
}

/** The seed's exponential back-off: retry n waits min((2^n − 1) · delta, max); a fast first retry waits 0. */
const nominal = (policy: RetryPolicy.RetryPolicy, retry: number): number => {
  const n = policy.firstFastRetry ? retry - 1 : retry
  if (n <= 0) return 0
  const max = toMillis(policy.maxDelay)
  if (n > MAX_EXPONENT) return max
  return Math.min((2 ** n - 1) * toMillis(policy.delta), max)
}

export const delays = (policy: RetryPolicy.RetryPolicy): ReadonlyArray<number> => {
  const out: Array<number> = []
  for (let retry = 1; retry <= policy.maxRetries && retry <= 1000; retry++) out.push(nominal(policy, retry))
  return out
}

export const nextDelay = (
  policy: RetryPolicy.RetryPolicy,
  state: RetryPolicy.RetryState,
  error: EndpointError,
  randomFraction: number
): Option.Option<number> => {
  // Refusals are final whatever `retryOn` says; an Unavailable is retried only where the
  // policy opts in (an endpoint the environment names: see isRetryableHostStatus).
  if (error._tag === "Rejected") return Option.none()
  if (!policy.retryOn(error)) return Option.none()
  const gone = isGone(error)
  const windowMs = toMillis(policy.goneWindow)
  const withinCount = state.retries < policy.maxRetries
  const withinWindow = gone && state.elapsedMs < windowMs
  if (!withinCount && !withinWindow) return Option.none()

  const jitter = clampFraction(policy.jitter)
  const factor = 1 - jitter + 2 * jitter * clampFraction(randomFraction)
  let delay = Math.min(nominal(policy, state.retries + 1) * factor, toMillis(policy.maxDelay))
  if (gone) delay = Math.min(delay, GONE_MAX_DELAY_MS)
  // Past the retry count, 410 retries live on the window alone: the last one lands at its end.
  if (gone && !withinCount) delay = Math.min(delay, windowMs - state.elapsedMs)

  const retryAfter = retryAfterOf(error)
  if (retryAfter !== undefined) {
    if (retryAfter > toMillis(policy.maxRetryAfter)) return Option.none()
    // Never before the endpoint's Retry-After; spread above it by the same jitter, so that callers
    // told the same Retry-After do not all come back in one wave.
    delay = Math.max(delay, retryAfter * (1 + jitter * clampFraction(randomFraction)))
  }
  return Option.some(Math.max(0, Math.round(delay)))
}
