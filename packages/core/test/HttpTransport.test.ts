/**
 * What every transport shares: the request model sources build, taking a request apart for the
 * runtime's client, and holding a body under the cap.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { HttpTransport } from "../src/index.js"

const right = (request: HttpTransport.Request): HttpTransport.Parts => {
  const result = HttpTransport.parts(request)
  if (result._tag === "Left") throw new Error(`expected parts, got ${result.left.message}`)
  return result.right
}

const left = (request: HttpTransport.Request): HttpTransport.TransportError => {
  const result = HttpTransport.parts(request)
  if (result._tag === "Right") throw new Error("expected an error, got parts")
  return result.left
}

const text = (bytes: Uint8Array | undefined) => (bytes === undefined ? undefined : new TextDecoder().decode(bytes))

describe("HttpTransport requests", () => {
  it("get: the URL as given (a URL object's query kept), header names in lower case", () => {
    const url = new URL("http://127.0.0.1:40342/metadata/identity/oauth2/token")
    url.searchParams.set("resource", "https://x&client_id=evil")
    const request = HttpTransport.get(url, { Metadata: "true", "X-IDENTITY-HEADER": "secret-value" })
    expect(request).toEqual({
      method: "GET",
      url: "http://127.0.0.1:40342/metadata/identity/oauth2/token?resource=https%3A%2F%2Fx%26client_id%3Devil",
      headers: { metadata: "true", "x-identity-header": "secret-value" }
    })
  })

  it("postForm: encodes every pair with URLSearchParams, in order, repeated names kept", () => {
    const request = HttpTransport.postForm(
      "http://127.0.0.1:8083/oauth2/token",
      [
        ["scope", "https://x/.default"],
        ["client_assertion", "a&b=c"],
        ["scope", "again"]
      ],
      { Metadata: "true" }
    )
    expect(request.method).toBe("POST")
    expect(request.headers).toEqual({ metadata: "true", "content-type": "application/x-www-form-urlencoded" })
    expect(request.body?.text).toBe("scope=https%3A%2F%2Fx%2F.default&client_assertion=a%26b%3Dc&scope=again")
    expect(HttpTransport.postForm("http://127.0.0.1:1/", { resource: "r" }).body?.text).toBe("resource=r")
  })

  it("setHeader: adds or replaces a header whatever the case of its name", () => {
    const request = HttpTransport.setHeader(
      HttpTransport.get("http://127.0.0.1:1/", { Authorization: "old" }),
      "AUTHORIZATION",
      "Basic k"
    )
    expect(request.headers).toEqual({ authorization: "Basic k" })
  })
})

describe("HttpTransport.parts", () => {
  it("gives the full URL without its fragment", () => {
    expect(right(HttpTransport.get("http://127.0.0.1:8081/msi/token?resource=r#f")).url.href).toBe(
      "http://127.0.0.1:8081/msi/token?resource=r"
    )
  })

  it("gives header names in lower case, and no body or length for a GET", () => {
    const parts = right({ method: "GET", url: "http://127.0.0.1:1/", headers: { Metadata: "true" } })
    expect(parts.headers).toEqual({ metadata: "true" })
    expect(parts.body).toBeUndefined()
  })

  it("gives a form body's bytes with its content type and length", () => {
    const parts = right(
      HttpTransport.postForm(
        "http://127.0.0.1:8083/oauth2/token",
        { resource: "https://management.azure.com/" },
        { Metadata: "true" }
      )
    )
    expect(parts.method).toBe("POST")
    expect(text(parts.body)).toBe("resource=https%3A%2F%2Fmanagement.azure.com%2F")
    expect(parts.headers).toEqual({
      metadata: "true",
      "content-type": "application/x-www-form-urlencoded",
      "content-length": String(parts.body!.byteLength)
    })
  })

  it("counts the length in bytes, not characters, and fills in a content type the headers lack", () => {
    const parts = right({
      method: "POST",
      url: "http://127.0.0.1:1/",
      headers: {},
      body: { contentType: "text/plain", text: "héllo" }
    })
    expect(parts.headers).toEqual({ "content-type": "text/plain", "content-length": "6" })
  })

  it("keeps a content type the request set itself", () => {
    const parts = right({
      method: "POST",
      url: "http://127.0.0.1:1/",
      headers: { "Content-Type": "application/json; charset=utf-8" },
      body: { contentType: "application/json", text: "{}" }
    })
    expect(parts.headers["content-type"]).toBe("application/json; charset=utf-8")
  })

  it("refuses a URL that is not one as an encode error", () => {
    const error = left(HttpTransport.get("not a url"))
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
        t.send(HttpTransport.get("http://127.0.0.1:1/"), { maxBodyBytes: 7 })
      ).pipe(Effect.provideService(HttpTransport.HttpTransport, transport))
      expect(answer.body).toBe("GET 7")
    })
  )
})
