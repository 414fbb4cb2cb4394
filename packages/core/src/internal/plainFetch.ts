/**
 * One token request over a `fetch`, as a `Promise`: never following a redirect, reading at most the
 * body cap (plus one byte, to know it is over) and cancelling the rest. The Effect transport
 * (`FetchTransport`) wraps this same function, so the Promise API's first request and the engine's
 * read answers the same way.
 *
 * @internal
 */
import { type Answer, type Request, boundedBody, declaredTooLarge, failed, parts, tooLarge } from "../HttpRequest.js"

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

/**
 * Sends `request` with `fetch`; rejects with a `TransportError`.
 *
 * @internal
 */
export const send =
  (fetch: typeof globalThis.fetch) =>
  async (
    request: Request,
    options: { readonly maxBodyBytes: number; readonly signal: AbortSignal }
  ): Promise<Answer> => {
    const built = parts(request)
    if (built._tag === "Left") throw built.left
    const { method, url, headers, body } = built.right
    let status: number | undefined
    try {
      // Never follow a redirect: a token request answered with one is classified, not chased.
      const response = await fetch(url, {
        method,
        headers,
        ...(body === undefined ? {} : { body: body as NonNullable<RequestInit["body"]> }),
        redirect: "manual",
        signal: options.signal
      })
      status = response.status
      const answerHeaders = headersOf(response.headers)
      if (declaredTooLarge(answerHeaders["content-length"], options.maxBodyBytes)) {
        await response.body?.cancel().catch(() => undefined)
        throw tooLarge(response.status, options.maxBodyBytes)
      }
      const text = await readBody(response, options.maxBodyBytes)
      if (text === undefined) throw tooLarge(response.status, options.maxBodyBytes)
      return { status: response.status, headers: answerHeaders, body: text }
    } catch (cause) {
      if (typeof cause === "object" && cause !== null && (cause as { _tag?: unknown })._tag === "TransportError") {
        throw cause
      }
      throw failed(status, cause)
    }
  }
