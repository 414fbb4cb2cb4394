/**
 * How every transport over web `Response`s reads an answer (the fetch transport, and the bridge over
 * an `@effect/platform` `HttpClient`): status, lower-case headers, the body decoded as UTF-8 under
 * the cap, and a body that breaks off. Each transport's test file calls it with a way to build the
 * transport around a `Response`.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { HttpTransport } from "../../src/index.js"

const MAX = 65_536

/** A body that yields `chunk` for as long as it is read, counting the bytes handed out. */
export const endless = (chunk: Uint8Array) => {
  const counts = { pulled: 0, cancelled: false }
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      counts.pulled += chunk.byteLength
      controller.enqueue(chunk)
    },
    cancel() {
      counts.cancelled = true
    }
  })
  return { counts, stream }
}

export const answerSuite = (
  name: string,
  transportFor: (respond: () => Response) => HttpTransport.Service,
  /** Whether the transport cancels a body it stops reading (the platform's stream does not say). */
  options: { readonly cancelsTheBody: boolean }
): void => {
  const send = (respond: () => Response, maxBodyBytes = MAX) =>
    transportFor(respond).send(HttpTransport.get("http://127.0.0.1:40342/msi/token"), { maxBodyBytes })

  describe(`${name}: the answer`, () => {
    it.effect("reads the status, lower-case headers and a UTF-8 body", () =>
      Effect.gen(function* () {
        const answer = yield* send(
          () =>
            new Response("héllo", { status: 201, headers: { "X-Ms-Request-Id": "abc", "Content-Type": "text/plain" } })
        )
        expect(answer).toEqual({
          status: 201,
          headers: { "x-ms-request-id": "abc", "content-type": "text/plain" },
          body: "héllo"
        })
      })
    )

    it.effect("reads an absent body as the empty string", () =>
      Effect.gen(function* () {
        expect(yield* send(() => new Response(null, { status: 204 }))).toMatchObject({ status: 204, body: "" })
      })
    )

    it.effect("reads a body in many chunks, a character split between two", () =>
      Effect.gen(function* () {
        const bytes = new TextEncoder().encode("é".repeat(10))
        const body = () =>
          new ReadableStream<Uint8Array>({
            start(controller) {
              for (let i = 0; i < bytes.length; i += 3) controller.enqueue(bytes.subarray(i, i + 3))
              controller.close()
            }
          })
        expect((yield* send(() => new Response(body()))).body).toBe("é".repeat(10))
      })
    )

    it.effect("accepts exactly the cap and refuses one byte more", () =>
      Effect.gen(function* () {
        expect((yield* send(() => new Response("x".repeat(10)), 10)).body).toHaveLength(10)
        const error = yield* Effect.flip(send(() => new Response("x".repeat(11)), 10))
        expect(error).toMatchObject({
          _tag: "TransportError",
          reason: "too-large",
          status: 200,
          message: "the body is over 10 bytes"
        })
      })
    )

    it.effect("refuses a declared Content-Length over the cap without reading the body", () =>
      Effect.gen(function* () {
        const { counts, stream } = endless(new Uint8Array(10))
        const error = yield* Effect.flip(send(() => new Response(stream, { headers: { "content-length": "100000" } })))
        expect(error).toMatchObject({ reason: "too-large", status: 200 })
        expect(counts.pulled).toBeLessThanOrEqual(10)
        if (options.cancelsTheBody) expect(counts.cancelled).toBe(true)
      })
    )

    it.effect("stops reading an endless body just past the cap", () =>
      Effect.gen(function* () {
        const { counts, stream } = endless(new Uint8Array(1024).fill(120))
        const error = yield* Effect.flip(send(() => new Response(stream, { status: 503 })))
        expect(error).toMatchObject({ reason: "too-large", status: 503 })
        // A reader may prefetch a few chunks, never the whole (endless) body.
        expect(counts.pulled).toBeLessThan(MAX + 16 * 1024)
        if (options.cancelsTheBody) expect(counts.cancelled).toBe(true)
      })
    )

    it.effect("reports a body that breaks off as a body error with the status and the runtime's error", () =>
      Effect.gen(function* () {
        const broken = Object.assign(new Error("other side closed"), { code: "UND_ERR_SOCKET" })
        const stream = new ReadableStream<Uint8Array>({
          start(controller) {
            controller.enqueue(new TextEncoder().encode('{"access_token":"eyJ'))
            controller.error(broken)
          }
        })
        const error = yield* Effect.flip(send(() => new Response(stream, { status: 200 })))
        expect(error).toMatchObject({
          _tag: "TransportError",
          reason: "body",
          status: 200,
          message: "the body broke off while it was being read"
        })
        expect(error.cause).toBe(broken)
      })
    )
  })
}
