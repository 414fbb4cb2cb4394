import * as Effect from "effect/Effect"
import {
  type Answer,
  type Service,
  type TransportError,
  boundedBody,
  declaredTooLarge,
  failed,
  parts,
  tooLarge
} from "../HttpTransport.js"

const headersOf = (headers: Headers): Record<string, string> => {
  const out: Record<string, string> = {}
  headers.forEach((value, name) => {
    out[name.toLowerCase()] = value
  })
  return out
}

// Reads a fetch body holding at most maxBodyBytes + 1 bytes; the rest is cancelled, never read.
const readBody = async (response: Response, maxBodyBytes: number): Promise<string | undefined> => {
  if (response.body === null) return ""
  const body = boundedBody(maxBodyBytes)
  const reader = response.body.getReader()
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      if (!body.push(value)) {
        await reader.cancel().catch(() => undefined)
        break
      }
    }
  } finally {
    reader.releaseLock()
  }
  return body.text()
}

/** @internal */
export const make = (fetch: typeof globalThis.fetch): Service => ({
  send: (request, { maxBodyBytes }) => {
    const built = parts(request)
    if (built._tag === "Left") return Effect.fail(built.left)
    const { method, url, headers, body } = built.right
    return Effect.async<Answer, TransportError>((resume, signal) => {
      let status: number | undefined
      // Never follow a redirect: a token request answered with one is classified, not chased.
      fetch(url, {
        method,
        headers,
        ...(body === undefined ? {} : { body: body as NonNullable<RequestInit["body"]> }),
        redirect: "manual",
        signal
      })
        .then(async (response) => {
          status = response.status
          const answerHeaders = headersOf(response.headers)
          if (declaredTooLarge(answerHeaders["content-length"], maxBodyBytes)) {
            await response.body?.cancel().catch(() => undefined)
            return resume(Effect.fail(tooLarge(response.status, maxBodyBytes)))
          }
          const text = await readBody(response, maxBodyBytes)
          resume(
            text === undefined
              ? Effect.fail(tooLarge(response.status, maxBodyBytes))
              : Effect.succeed({ status: response.status, headers: answerHeaders, body: text })
          )
        })
        .catch((cause: unknown) => {
          if (signal.aborted) return
          resume(Effect.fail(failed(status, cause)))
        })
    })
  }
})

/** @internal */
export const urlOf = (input: string | URL | globalThis.Request): URL =>
  input instanceof URL ? input : new URL(input instanceof Request ? input.url : input)
