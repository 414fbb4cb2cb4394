/**
 * What every transport shares: taking a request apart for the runtime's client, and holding a body
 * under the cap.
 */
import * as Headers from "@effect/platform/Headers"
import * as HttpBody from "@effect/platform/HttpBody"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { HttpTransport } from "../src/index.js"

const right = (request: HttpClientRequest.HttpClientRequest): HttpTransport.Parts => {
  const result = HttpTransport.parts(request)
  if (result._tag === "Left") throw new Error(`expected parts, got ${result.left.message}`)
  return result.right
}

const left = (request: HttpClientRequest.HttpClientRequest): HttpTransport.TransportError => {
  const result = HttpTransport.parts(request)
  if (result._tag === "Right") throw new Error("expected an error, got parts")
  return result.left
}

const text = (bytes: Uint8Array | undefined) => (bytes === undefined ? undefined : new TextDecoder().decode(bytes))

describe("HttpTransport.parts", () => {
  it("builds the full URL: its own query, the request's parameters, and no fragment", () => {
    const request = HttpClientRequest.get("http://127.0.0.1:40342/metadata/identity/oauth2/token?a=1#fragment").pipe(
      HttpClientRequest.setUrlParams({ "api-version": "2018-02-01", resource: "https://x&client_id=evil" })
    )
    const parts = right(request)
    expect(parts.method).toBe("GET")
    expect(parts.url.href).toBe(
      "http://127.0.0.1:40342/metadata/identity/oauth2/token?a=1&api-version=2018-02-01&resource=https%3A%2F%2Fx%26client_id%3Devil"
    )
    expect(parts.url.hash).toBe("")
    expect(parts.url.searchParams.get("client_id")).toBeNull()
  })

  it("keeps the parameters of a URL object, and drops its fragment", () => {
    const request = HttpClientRequest.get(new URL("http://127.0.0.1:8081/msi/token?resource=r#f"))
    expect(right(request).url.href).toBe("http://127.0.0.1:8081/msi/token?resource=r")
  })

  it("gives header names in lower case, and no body or length for a GET", () => {
    const request = HttpClientRequest.get("http://127.0.0.1:1/").pipe(
      HttpClientRequest.setHeader("Metadata", "true"),
      HttpClientRequest.setHeader("X-IDENTITY-HEADER", "secret-value")
    )
    const parts = right(request)
    expect(parts.headers).toEqual({ metadata: "true", "x-identity-header": "secret-value" })
    expect(parts.body).toBeUndefined()
  })

  it("gives a form body's bytes with its content type and length", () => {
    const request = HttpClientRequest.post("http://127.0.0.1:8083/oauth2/token").pipe(
      HttpClientRequest.setHeader("Metadata", "true"),
      HttpClientRequest.bodyUrlParams({ resource: "https://management.azure.com/" })
    )
    const parts = right(request)
    expect(parts.method).toBe("POST")
    expect(text(parts.body)).toBe("resource=https%3A%2F%2Fmanagement.azure.com%2F")
    expect(parts.headers).toEqual({
      metadata: "true",
      "content-type": "application/x-www-form-urlencoded",
      "content-length": String(parts.body!.byteLength)
    })
  })

  it("counts the length in bytes, not characters", () => {
    const request = HttpClientRequest.post("http://127.0.0.1:1/").pipe(HttpClientRequest.bodyText("héllo"))
    const parts = right(request)
    expect(parts.headers["content-length"]).toBe("6")
    expect(parts.headers["content-type"]).toBe("text/plain")
  })

  it("keeps a content type the request set itself, and fills in the body's when the header is gone", () => {
    const own = HttpClientRequest.post("http://127.0.0.1:1/").pipe(
      HttpClientRequest.bodyText("{}"),
      HttpClientRequest.setHeader("Content-Type", "application/json; charset=utf-8")
    )
    expect(right(own).headers["content-type"]).toBe("application/json; charset=utf-8")
    // `setBody` always sets the header; a request assembled some other way may lack it.
    const withBody = HttpClientRequest.post("http://127.0.0.1:1/").pipe(
      HttpClientRequest.bodyText("{}", "application/json")
    )
    const bare: HttpClientRequest.HttpClientRequest = Object.assign(
      Object.create(Object.getPrototypeOf(withBody)),
      withBody,
      {
        headers: Headers.empty
      }
    )
    expect(bare.headers["content-type"]).toBeUndefined()
    expect(right(bare).headers).toEqual({ "content-type": "application/json", "content-length": "2" })
  })

  it("sends raw text and raw bytes, with no content type unless given", () => {
    const url = "http://127.0.0.1:1/"
    const rawText = right(HttpClientRequest.post(url).pipe(HttpClientRequest.setBody(HttpBody.raw("a=1"))))
    expect(text(rawText.body)).toBe("a=1")
    expect(rawText.headers).toEqual({ "content-length": "3" })
    const bytes = new Uint8Array([1, 2, 3, 4])
    const rawBytes = right(
      HttpClientRequest.post(url).pipe(
        HttpClientRequest.setBody(HttpBody.raw(bytes, { contentType: "application/octet-stream" }))
      )
    )
    expect(rawBytes.body).toBe(bytes)
    expect(rawBytes.headers).toEqual({ "content-type": "application/octet-stream", "content-length": "4" })
  })

  it("refuses stream, form-data and other raw bodies as encode errors", () => {
    const url = "http://127.0.0.1:1/"
    const formData = new FormData()
    formData.append("resource", "x")
    for (const body of [
      HttpBody.stream(Stream.make(new Uint8Array([1]))),
      HttpBody.formData(formData),
      HttpBody.raw({ not: "bytes" })
    ]) {
      const error = left(HttpClientRequest.post(url).pipe(HttpClientRequest.setBody(body)))
      expect(error).toMatchObject({
        _tag: "TransportError",
        reason: "encode",
        message: "only text and byte request bodies can be sent"
      })
    }
  })

  it("refuses a URL that is not one as an encode error", () => {
    const error = left(HttpClientRequest.get("not a url"))
    expect(error).toMatchObject({ reason: "encode", message: "the request URL is not valid" })
    expect(error.cause).toBeInstanceOf(TypeError)
  })
})

describe("HttpTransport.boundedBody", () => {
  const bytes = (s: string) => new TextEncoder().encode(s)

  it("keeps a body under the cap", () => {
    const body = HttpTransport.boundedBody(10)
    expect(body.push(bytes("héllo"))).toBe(true)
    expect(body.text()).toBe("héllo")
  })

  it("reads nothing as the empty string", () => {
    expect(HttpTransport.boundedBody(10).text()).toBe("")
  })

  it("accepts a body of exactly the cap", () => {
    const body = HttpTransport.boundedBody(4)
    expect(body.push(bytes("abcd"))).toBe(true)
    expect(body.text()).toBe("abcd")
  })

  it("says stop one byte over the cap, and has no text", () => {
    const body = HttpTransport.boundedBody(4)
    expect(body.push(bytes("abcde"))).toBe(false)
    expect(body.text()).toBeUndefined()
    // Anything pushed after that is not kept.
    expect(body.push(bytes("f"))).toBe(false)
    expect(body.text()).toBeUndefined()
  })

  it("joins many chunks, a character split across two", () => {
    const body = HttpTransport.boundedBody(100)
    const all = bytes('{"token":"é"}')
    const split = all.indexOf(0xc3) + 1
    expect(body.push(all.subarray(0, split))).toBe(true)
    expect(body.push(all.subarray(split, split + 2))).toBe(true)
    expect(body.push(all.subarray(split + 2))).toBe(true)
    expect(body.text()).toBe('{"token":"é"}')
  })

  it("goes over the cap across chunks, keeping at most the cap + 1 byte", () => {
    const body = HttpTransport.boundedBody(5)
    expect(body.push(bytes("abc"))).toBe(true)
    expect(body.push(bytes("de"))).toBe(true)
    const big = new Uint8Array(1_000_000)
    expect(body.push(big)).toBe(false)
    expect(body.text()).toBeUndefined()
  })
})

describe("HttpTransport.declaredTooLarge and tooLarge", () => {
  it.each([
    ["70000", true],
    [" 65537 ", true],
    ["65536", false],
    ["0", false],
    ["", false],
    ["-1", false],
    ["1e9", false],
    ["abc", false],
    [null, false],
    [undefined, false]
  ] as const)("a Content-Length of %j is over a 64 KiB cap: %s", (contentLength, over) => {
    expect(HttpTransport.declaredTooLarge(contentLength, 65_536)).toBe(over)
  })

  it("names the status and the cap", () => {
    expect(HttpTransport.tooLarge(503, 65_536)).toMatchObject({
      _tag: "TransportError",
      reason: "too-large",
      status: 503,
      message: "the body is over 65536 bytes"
    })
  })
})

describe("HttpTransport.HttpTransport", () => {
  it.effect("is the service sources send through", () =>
    Effect.gen(function* () {
      const transport: HttpTransport.Service = {
        send: (request, { maxBodyBytes }) =>
          Effect.succeed({ status: 200, headers: {}, body: `${request.method} ${maxBodyBytes}` })
      }
      const answer = yield* Effect.flatMap(HttpTransport.HttpTransport, (t) =>
        t.send(HttpClientRequest.get("http://127.0.0.1:1/"), { maxBodyBytes: 7 })
      ).pipe(Effect.provideService(HttpTransport.HttpTransport, transport))
      expect(answer.body).toBe("GET 7")
    })
  )
})
