/**
 * The Promise API's first request, made without the Effect runtime: a source's protocol steps
 * driven over a plain transport (a function returning a `Promise`). It serves the sources that
 * send one request and read no file and pin no certificate (IMDS, App Service and Functions, Azure
 * ML, Cloud Shell): loading the runtime costs more than the request itself on a cold start, and
 * most processes never need more than this one request before their token is due for refresh.
 * Anything else (a retry, a refresh, a claims challenge, a source that reads a file) goes to the
 * Effect engine, which takes over from where this left off.
 *
 * @internal
 */
import * as Either from "effect/Either"
import type { AccessToken } from "../AccessToken.js"
import { type Answer, type Request, TransportError } from "../HttpRequest.js"
import { type EndpointError, Transient } from "../ManagedIdentityError.js"
import type { Moment, Step } from "../Source.js"
import * as TokenResponse from "../TokenResponse.js"
import { failed, transportFailure } from "./protocol.js"

/**
 * A plain transport: one request, its answer read in full under the cap; rejects with a
 * `TransportError` (anything else is wrapped as one), and stops when `signal` aborts.
 *
 * @internal
 */
export type PlainSend = (
  request: Request,
  options: { readonly maxBodyBytes: number; readonly signal: AbortSignal }
) => Promise<Answer>

/**
 * How one first attempt ended: a token, an endpoint error, or the caller left (aborted).
 *
 * @internal
 */
export type Outcome =
  | { readonly _tag: "Token"; readonly token: AccessToken }
  | { readonly _tag: "Error"; readonly error: EndpointError }
  | { readonly _tag: "Aborted" }

const asTransportError = (cause: unknown): TransportError =>
  cause instanceof TransportError
    ? cause
    : new TransportError({ reason: "request", cause, message: "the request failed" })

/**
 * Drives the steps of one attempt. `attemptTimeoutMs` bounds the whole attempt (as the engine's
 * `attemptTimeout` does): past it, the request is cancelled and the attempt is a `Transient`
 * timeout, which the engine then retries.
 *
 * @internal
 */
export const attempt = async (
  first: Step,
  send: PlainSend,
  options: {
    readonly signal: AbortSignal
    readonly attemptTimeoutMs: number
    readonly now: () => number
  }
): Promise<Outcome> => {
  const startedAt = options.now()
  let requests = 0
  const moment = (): Moment => {
    const now = options.now()
    return { now, elapsedMs: Math.max(0, now - startedAt), requests }
  }
  const controller = new AbortController()
  const abort = () => controller.abort()
  options.signal.addEventListener("abort", abort, { once: true })
  let timedOut = false
  const timer = setTimeout(() => {
    timedOut = true
    controller.abort()
  }, options.attemptTimeoutMs)
  try {
    let step = first
    for (;;) {
      switch (step._tag) {
        case "Done":
          return { _tag: "Token", token: step.token }
        case "Failed":
          return { _tag: "Error", error: step.error }
        case "Send": {
          requests++
          let answer: Answer
          try {
            answer = await send(step.request, { maxBodyBytes: TokenResponse.MAX_BODY_BYTES, signal: controller.signal })
          } catch (cause) {
            if (options.signal.aborted) return { _tag: "Aborted" }
            if (timedOut) {
              const at = moment()
              return {
                _tag: "Error",
                error: new Transient({
                  source: step.exchange.source,
                  reason: "timeout",
                  message: `${step.exchange.source}: no answer from ${step.exchange.endpoint} within ${options.attemptTimeoutMs} ms`,
                  attempts: at.requests,
                  elapsedMs: at.elapsedMs,
                  endpoint: step.exchange.endpoint
                })
              }
            }
            step = failed(transportFailure(asTransportError(cause), step.exchange, moment()))
            continue
          }
          step = step.next(answer, moment())
          continue
        }
        default:
          // File steps belong to sources the first request does not serve (see `eligible`).
          return {
            _tag: "Error",
            error: new Transient({
              source: "IMDS",
              reason: "network",
              message: "the first request cannot read files",
              attempts: requests,
              elapsedMs: moment().elapsedMs
            })
          }
      }
    }
  } finally {
    clearTimeout(timer)
    options.signal.removeEventListener("abort", abort)
  }
}

/**
 * The result as an `Either` (for the policy's decision).
 *
 * @internal
 */
export const toEither = (
  outcome: Exclude<Outcome, { readonly _tag: "Aborted" }>
): Either.Either<AccessToken, EndpointError> =>
  outcome._tag === "Token" ? Either.right(outcome.token) : Either.left(outcome.error)
