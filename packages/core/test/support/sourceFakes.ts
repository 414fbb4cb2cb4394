/**
 * Test doubles for the source tests: an in-memory transport that records every request and
 * answers from a script (nothing ever leaves the process), a FileReader that counts reads, and
 * small helpers to look at a built request.
 */
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import { CertificatePinning, FetchTransport, FileReader, HttpTransport, Resource } from "../../src/index.js"

export interface Recorded {
  readonly method: string
  readonly url: URL
  readonly headers: Readonly<Record<string, string>>
  readonly body: string | undefined
}

export type Reply =
  | {
      readonly status?: number
      readonly headers?: Record<string, string>
      readonly body?: string | ReadableStream<Uint8Array> | null
    }
  | { readonly fail: unknown }

export const bodyText = (request: HttpTransport.Request): string | undefined => request.body?.text

export const noFiles = FileReader.layer(FileReader.memory({ files: {} }))

export const noPinning = CertificatePinning.unsupported("tests do not pin")

/**
 * An HttpTransport answering from a list (the last reply repeats) or a function of the request.
 * It is the real `FetchTransport` over an in-memory `fetch`, so body reading, the size cap and
 * aborts run as they do in the adapters.
 */
export const fakeHttp = (replies: ReadonlyArray<Reply> | ((request: Recorded, index: number) => Reply)) => {
  const recorded: Array<Recorded> = []
  const fetch = (async (input: string | URL | Request, init?: RequestInit) => {
    const headers: Record<string, string> = {}
    new Headers(init?.headers).forEach((value, name) => {
      headers[name] = value
    })
    const body = init?.body
    const entry: Recorded = {
      method: init?.method ?? "GET",
      url: FetchTransport.urlOf(input),
      headers,
      body: body === undefined || body === null ? undefined : new TextDecoder().decode(body as Uint8Array)
    }
    const index = recorded.length
    recorded.push(entry)
    const reply = typeof replies === "function" ? replies(entry, index) : (replies[index] ?? replies.at(-1) ?? {})
    if ("fail" in reply) throw reply.fail
    return new Response(reply.body ?? null, { status: reply.status ?? 200, headers: reply.headers ?? {} })
  }) as typeof globalThis.fetch
  const client = FetchTransport.make(fetch)
  // `layer` also satisfies the other services a Source may need (no files, no pinning); a test
  // that needs real ones provides them closer to the effect, where they win.
  return {
    recorded,
    fetch,
    client,
    layer: Layer.mergeAll(Layer.succeed(HttpTransport.HttpTransport, client), noFiles, noPinning)
  }
}

/** A JSON token body as the endpoints send it. */
export const tokenBody = (fields: Record<string, unknown> = {}) =>
  JSON.stringify({
    access_token:
      "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJodHRwczovL21hbmFnZW1lbnQuYXp1cmUuY29tLyJ9.c2lnbmF0dXJl",
    expires_in: "3599",
    token_type: "Bearer",
    ...fields
  })

export const TOKEN =
  "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJodHRwczovL21hbmFnZW1lbnQuYXp1cmUuY29tLyJ9.c2lnbmF0dXJl"

export const resource = (value = "https://management.azure.com/") => Either.getOrThrow(Resource.make(value))

/** The full URL a request will be sent to. */
export const urlOf = (request: HttpTransport.Request): URL => new URL(request.url)

/** A memory FileReader that counts calls, so tests can prove a file was never read. */
export const countingFiles = (options: Parameters<typeof FileReader.memory>[0]) => {
  const inner = FileReader.memory(options)
  const calls = { realPath: 0, stat: 0, readText: 0, exists: 0 }
  const reader: typeof inner = {
    realPath: (path) => {
      calls.realPath++
      return inner.realPath(path)
    },
    stat: (path) => {
      calls.stat++
      return inner.stat(path)
    },
    readText: (path, o) => {
      calls.readText++
      return inner.readText(path, o)
    },
    exists: (path) => {
      calls.exists++
      return inner.exists(path)
    }
  }
  return { calls, reader, layer: FileReader.layer(reader) }
}
