/**
 * The Effect face of `plainSend.ts`, the one implementation of a node-module send: the request is
 * made for nobody waiting when the fiber runs as background work (`HttpTransport.background`, a
 * token cache's refresh), and interruption aborts it (destroying the request and its socket, even
 * mid-handshake, and clearing the connect timer), so an abandoned call leaves nothing running.
 *
 * @internal
 */
import { type Answer, background, type Parts, type TransportError } from "@managed-identity/core/HttpTransport"
import * as Effect from "effect/Effect"
import * as FiberRef from "effect/FiberRef"
import type { RequestFunction } from "../NodeStyleTransport.js"
import * as plain from "./plainSend.js"

export { unref } from "./plainSend.js"

/**
 * Sends one request through a `node:http`-style `request` and reads the answer under the cap (see
 * `plainSend.send`).
 *
 * @internal
 */
export const send = (
  request: RequestFunction,
  parts: Parts,
  options: { readonly maxBodyBytes: number; readonly connectTimeoutMs?: number | undefined }
): Effect.Effect<Answer, TransportError> =>
  FiberRef.getWith(background, (inBackground) =>
    Effect.async<Answer, TransportError>((resume) => {
      const abandoned = new AbortController()
      plain.send(request, parts, { ...options, signal: abandoned.signal, background: inBackground }).then(
        (answer) => resume(Effect.succeed(answer)),
        (error: TransportError) => resume(Effect.fail(error))
      )
      return Effect.sync(() => abandoned.abort())
    })
  )
