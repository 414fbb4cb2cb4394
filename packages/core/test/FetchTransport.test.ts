/**
 * The fetch transport the Deno, Bun and edge adapters share: an in-memory `fetch` answering with
 * real `Response`s (and `ReadableStream` bodies) stands for the runtime's, so nothing leaves the
 * process while the body reading, the size cap and the abort run as they do in the adapters.
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import { FetchTransport, HttpTransport } from "../src/index.js"
import { answerSuite } from "./support/answerSuite.js"

const URL_ = "http://127.0.0.1:40342/metadata/identity/oauth2/token"
const MAX = 65_536

interface Call {
  readonly url: string
  readonly init: RequestInit | undefined
}

/** A `fetch` answering every call with `answer()`, recording the calls. */
const fetching = (answer: (call: Call) => Response | Promise<Response>) => {
  const calls: Array<Call> = []
  const fetch: typeof globalThis.fetch = async (input, init) => {
    const call = { url: FetchTransport.urlOf(input).href, init }
    calls.push(call)
    return answer(call)
  }
  return { calls, transport: FetchTransport.make(fetch) }
}

const send = (transport: HttpTransport.Service, request = HttpTransport.get(URL_), maxBodyBytes = MAX) =>
  transport.send(request, { maxBodyBytes })

describe("FetchTransport.urlOf", () => {
  it("reads the URL of a string, a URL and a Request", () => {
    const url = "http://127.0.0.1:40342/metadata/identity/oauth2/token?resource=x"
    expect(FetchTransport.urlOf(url).href).toBe(url)
    const parsed = new URL(url)
    expect(FetchTransport.urlOf(parsed)).toBe(parsed)
    expect(FetchTransport.urlOf(new Request(url)).href).toBe(url)
  })
})

describe("FetchTransport.make: the request", () => {
  it.effect("sends through the given fetch and never follows a redirect", () =>
    Effect.gen(function* () {
      const { calls, transport } = fetching(
        () => new Response(null, { status: 302, headers: { location: "http://127.0.0.1:1/elsewhere" } })
      )
      const answer = yield* send(transport)
      expect(answer).toEqual({ status: 302, headers: { location: "http://127.0.0.1:1/elsewhere" }, body: "" })
      expect(calls.map((c) => [c.url, c.init?.redirect])).toEqual([[URL_, "manual"]])
    })
  )

  it.effect("keeps its fetch and redirect setting when the program provides others", () =>
    Effect.gen(function* () {
      const { calls, transport } = fetching(() => new Response(null, { status: 302 }))
      const other: typeof globalThis.fetch = async () => new Response("other", { status: 200 })
      const answer = yield* send(transport).pipe(
        Effect.provideService(FetchHttpClient.Fetch, other),
        Effect.provideService(FetchHttpClient.RequestInit, { redirect: "follow" })
      )
      expect(answer.status).toBe(302)
      expect(calls.map((c) => c.init?.redirect)).toEqual(["manual"])
    })
  )

  it.effect("sends the method, the query, lower-case headers and a form body with its length", () =>
    Effect.gen(function* () {
      const { calls, transport } = fetching(() => new Response("ok"))
      const request = HttpTransport.postForm(
        "http://127.0.0.1:8083/oauth2/token?api-version=2019-08-01",
        { resource: "https://vault.azure.net" },
        { Metadata: "true" }
      )
      yield* send(transport, request)
      const init = calls[0]!.init!
      expect(calls[0]!.url).toBe("http://127.0.0.1:8083/oauth2/token?api-version=2019-08-01")
      expect(init.method).toBe("POST")
      expect(init.headers).toEqual({
        metadata: "true",
        "content-type": "application/x-www-form-urlencoded",
        "content-length": "38"
      })
      expect(new TextDecoder().decode(init.body as Uint8Array)).toBe("resource=https%3A%2F%2Fvault.azure.net")
    })
  )

  it.effect("refuses a URL that is not one as an encode error, without calling fetch", () =>
    Effect.gen(function* () {
      const { calls, transport } = fetching(() => new Response("ok"))
      const error = yield* Effect.flip(send(transport, HttpTransport.get("not a url")))
      expect(error).toMatchObject({ _tag: "TransportError", reason: "encode" })
      expect(calls).toEqual([])
    })
  )

  it.effect("reports a fetch that rejects as a request error carrying the runtime's error", () =>
    Effect.gen(function* () {
      const refused = new TypeError("fetch failed", {
        cause: Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:40342"), { code: "ECONNREFUSED" })
      })
      const { transport } = fetching(() => Promise.reject(refused))
      const error = yield* Effect.flip(send(transport))
      expect(error).toMatchObject({ _tag: "TransportError", reason: "request", message: "the request failed" })
      expect(error.status).toBeUndefined()
      expect(error.cause).toBe(refused)
    })
  )

  it.effect("aborts the fetch when the send is interrupted", () =>
    Effect.gen(function* () {
      let aborted = false
      let started: () => void = () => undefined
      const waiting = new Promise<void>((resolve) => {
        started = resolve
      })
      // Answers only when aborted, as a runtime's fetch does (with an AbortError).
      const { transport } = fetching(
        ({ init }) =>
          new Promise<Response>((_, reject) => {
            init?.signal?.addEventListener("abort", () => {
              aborted = true
              reject(new DOMException("This operation was aborted", "AbortError"))
            })
            started()
          })
      )
      const fiber = yield* Effect.fork(send(transport))
      yield* Effect.promise(() => waiting)
      const exit = yield* Fiber.interrupt(fiber)
      expect(Exit.isInterrupted(exit)).toBe(true)
      expect(aborted).toBe(true)
    })
  )

  it.effect("is provided by layer", () =>
    Effect.gen(function* () {
      const fetch: typeof globalThis.fetch = async () => new Response("from the layer")
      const answer = yield* Effect.flatMap(HttpTransport.HttpTransport, (transport) => send(transport)).pipe(
        Effect.provide(FetchTransport.layer(fetch))
      )
      expect(answer.body).toBe("from the layer")
    })
  )
})

answerSuite("FetchTransport.make", (respond) => FetchTransport.make(async () => respond()), { cancelsTheBody: true })
