/**
 * The Promise driver of a source's protocol steps (`exchange.ts` is the Effect one): a `Send` goes
 * through a plain transport (a function returning a `Promise`), and every answer goes back to the
 * step with the time. It serves the sources that read no file and pin no certificate (IMDS, App
 * Service and Functions, Azure ML, Cloud Shell) for the Promise API, which loads no Effect runtime
 * for them: loading it costs more than the token request itself on a cold start.
 *
 * @internal
 */
import type { AccessToken } from "../AccessToken.js"
import type * as HttpRequest from "../HttpRequest.js"
import { type Answer, TransportError } from "../HttpRequest.js"
import { type EndpointError, Transient } from "../ManagedIdentityError.js"
import type { Moment, Step } from "../Source.js"
import * as TokenResponse from "../TokenResponse.js"
import { failed, transportFailure } from "./protocol.js"

/**
 * A plain transport (`HttpRequest.PlainSend`).
 *
 * @internal
 */
export type PlainSend = HttpRequest.PlainSend

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
    readonly background?: boolean | undefined
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
  // Work nobody waits for must not keep an idle process alive (where timers can be unref'd).
  if (options.background === true) (timer as { unref?: () => unknown }).unref?.()
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
            answer = await send(step.request, {
              maxBodyBytes: TokenResponse.MAX_BODY_BYTES,
              signal: controller.signal,
              background: options.background
            })
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
          // File steps belong to sources this driver does not serve (the client sends them to the engine).
          return {
            _tag: "Error",
            error: new Transient({
              source: "IMDS",
              reason: "network",
              message: "the Promise driver cannot read files",
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
