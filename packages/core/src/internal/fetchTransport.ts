/**
 * `FetchTransport`'s service: the plain `fetch` send (`plainFetch.ts`) as an Effect, cancelled
 * (its `AbortSignal` aborted) when the effect is interrupted.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import type { Answer, TransportError } from "../HttpRequest.js"
import type { Service } from "../HttpTransport.js"
import * as Plain from "./plainFetch.js"

/** @internal */
export const make = (fetch: typeof globalThis.fetch): Service => {
  const send = Plain.send(fetch)
  return {
    send: (request, { maxBodyBytes }) =>
      Effect.async<Answer, TransportError>((resume, signal) => {
        send(request, { maxBodyBytes, signal }).then(
          (answer) => resume(Effect.succeed(answer)),
          (error: TransportError) => {
            if (!signal.aborted) resume(Effect.fail(error))
          }
        )
      })
  }
}

/** @internal */
export const urlOf = Plain.urlOf
