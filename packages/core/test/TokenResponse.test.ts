import { describe, expect, it } from "@effect/vitest"
import { run } from "../src/internal/exchange.js"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as fc from "effect/FastCheck"
import * as Layer from "effect/Layer"
import {
  AccessToken,
  AppServiceSource,
  DisplayText,
  HttpTransport,
  Identity,
  ManagedIdentityError,
  TokenResponse
} from "../src/index.js"
import { TOKEN, fakeHttp, noFiles, noPinning, resource, tokenBody } from "./support/sourceFakes.js"

const NOW = Date.UTC(2017, 8, 26, 3, 0, 0) // 2017-09-26T03:00:00Z, before the seed sample's expires_on
const RESOURCE = "https://management.azure.com/"

const parse = (body: string, extra: Partial<TokenResponse.ParseInput> = {}) =>
  TokenResponse.parse({ source: "IMDS", status: 200, body, now: NOW, resource: RESOURCE, ...extra })

const right = (body: string, extra: Partial<TokenResponse.ParseInput> = {}) => {
  const result = parse(body, extra)
  if (Either.isLeft(result)) throw new Error(`expected a token, got ${result.left.message}`)
  return result.right
}

const left = (body: string, extra: Partial<TokenResponse.ParseInput> = {}) => {
  const result = parse(body, extra)
  if (Either.isRight(result)) throw new Error("expected an error, got a token")
  return result.left
}

describe("TokenResponse.parse", () => {
  it("reads the documentation's sample response, numbers as strings", () => {
    const sample = JSON.stringify({
      access_token: TOKEN,
      refresh_token: "",
      expires_in: "3599",
      expires_on: "1506484173",
      not_before: "1506480273",
      resource: "https://management.azure.com/",
      token_type: "Bearer"
    })
    const token = right(sample)
    expect(token).toBeInstanceOf(AccessToken.AccessToken)
    expect(token.token).toBe(TOKEN)
    expect(token.expiresOn).toBe(1506484173_000)
    expect(token.tokenType).toBe("Bearer")
    expect(token.resource).toBe("https://management.azure.com/")
    expect(token.refreshOn).toBe(AccessToken.refreshOnFor({ now: NOW, expiresOn: 1506484173_000 }))
  })

  it("accepts numbers as numbers", () => {
    const token = right(JSON.stringify({ access_token: TOKEN, expires_in: 3600, expires_on: 1506484173 }))
    expect(token.expiresOn).toBe(1506484173_000)
  })

  it("uses now + expires_in when expires_on is absent", () => {
    expect(right(tokenBody({ expires_in: "3599" })).expiresOn).toBe(NOW + 3_599_000)
    expect(right(tokenBody({ expires_in: 86_399 })).expiresOn).toBe(NOW + 86_399_000)
  })

  it("lets expires_on win over expires_in", () => {
    const token = right(tokenBody({ expires_in: "60", expires_on: String(NOW / 1000 + 7200) }))
    expect(token.expiresOn).toBe(NOW + 7_200_000)
  })

  it("reads the legacy 2017-09-01 date string", () => {
    const token = right(tokenBody({ expires_on: "09/26/2017 04:00:00 AM +00:00" }), { source: "AzureML" })
    expect(token.expiresOn).toBe(Date.UTC(2017, 8, 26, 4, 0, 0))
  })

  it.each([
    ["09/14/2017 00:00:00 PM +00:00", Date.UTC(2017, 8, 14, 12, 0, 0)],
    ["09/14/2017 12:00:00 PM +00:00", Date.UTC(2017, 8, 14, 12, 0, 0)],
    ["09/14/2017 12:30:00 AM +00:00", Date.UTC(2017, 8, 14, 0, 30, 0)],
    ["9/4/2017 1:05:09 PM +00:00", Date.UTC(2017, 8, 4, 13, 5, 9)],
    ["09/14/2017 11:59:59 pm +02:00", Date.UTC(2017, 8, 14, 21, 59, 59)],
    ["09/14/2017 01:00:00 AM -05:30", Date.UTC(2017, 8, 14, 6, 30, 0)],
    ["09/14/2017 13:00:00 +00:00", Date.UTC(2017, 8, 14, 13, 0, 0)],
    ["09/14/2017 13:00:00", Date.UTC(2017, 8, 14, 13, 0, 0)],
    ["02/29/2016 10:00:00 AM Z", Date.UTC(2016, 1, 29, 10, 0, 0)],
    ["2017-09-14T12:00:00Z", Date.UTC(2017, 8, 14, 12, 0, 0)],
    ["2017-09-14T12:00:00.250+01:00", Date.UTC(2017, 8, 14, 11, 0, 0, 250)]
  ])("reads expires_on %s", (value, expected) => {
    expect(right(tokenBody({ expires_on: value }), { now: 0 }).expiresOn).toBe(expected)
  })

  it.each([
    "13/14/2017 10:00:00 AM +00:00",
    "02/30/2017 10:00:00 AM +00:00",
    "02/29/2017 10:00:00 AM +00:00",
    "09/14/2017 13:00:00 PM +00:00",
    "09/14/2017 10:60:00 AM +00:00",
    "09/14/2017 10:00:00 AM +15:00",
    "09/14/2017 10:00:00 AM +01:75",
    "09/14/0017 10:00:00 AM +00:00",
    "2017-09-14T12:00:00",
    "tomorrow",
    "",
    "-5",
    "1e12"
  ])("refuses the expires_on %j as invalid-field when nothing else gives the expiry", (value) => {
    const error = left(tokenBody({ expires_on: value, expires_in: undefined }), { now: 0 })
    expect(error.reason).toBe("invalid-field")
    expect(error.message).toContain("expires_on")
  })

  it("defaults token_type to Bearer and resource to the requested one", () => {
    const token = right(JSON.stringify({ access_token: TOKEN, expires_in: 3600 }), {
      resource: "https://vault.azure.net"
    })
    expect(token.tokenType).toBe("Bearer")
    expect(token.resource).toBe("https://vault.azure.net")
    const pop = right(JSON.stringify({ access_token: TOKEN, expires_in: 3600, token_type: "pop", resource: null }))
    expect(pop.tokenType).toBe("pop")
    expect(pop.resource).toBe(RESOURCE)
  })

  it("refreshes at refresh_in when the endpoint sends it", () => {
    const token = right(tokenBody({ expires_in: 86_400, refresh_in: "43200" }))
    expect(token.refreshOn).toBe(NOW + 43_200_000)
    const long = right(tokenBody({ expires_in: 86_400 }))
    expect(long.refreshOn).toBe(NOW + 43_200_000)
    const short = right(tokenBody({ expires_in: 3600 }))
    expect(short.refreshOn).toBe(NOW + 3_300_000)
  })

  it.each([
    ["not JSON", "upstream connect error", "not-json"],
    ["JSON that is not an object", "[1,2,3]", "not-json"],
    ["JSON null", "null", "not-json"],
    ["an HTML page", "<!DOCTYPE html><html><body>Proxy error</body></html>", "html"],
    ["an HTML page after whitespace", "\n  <html></html>", "html"],
    ["an empty body", "", "truncated"],
    ["a body cut short", '{"access_token":"eyJ0eXAi', "truncated"],
    ["no access_token", JSON.stringify({ expires_in: 3600 }), "missing-token"],
    ["an empty access_token", JSON.stringify({ access_token: "  ", expires_in: 3600 }), "missing-token"],
    ["a numeric access_token", JSON.stringify({ access_token: 42, expires_in: 3600 }), "missing-token"],
    ["no expiry", JSON.stringify({ access_token: TOKEN }), "invalid-field"],
    ["an expired token", tokenBody({ expires_on: String(NOW / 1000 - 1) }), "invalid-field"],
    ["expires_in zero", tokenBody({ expires_in: 0 }), "invalid-field"],
    ["expires_in not numeric", tokenBody({ expires_in: "soon" }), "invalid-field"],
    ["expires_in negative", tokenBody({ expires_in: -5 }), "invalid-field"],
    ["expires_in an object", tokenBody({ expires_in: { s: 1 } }), "invalid-field"],
    ["token_type a number", tokenBody({ token_type: 7 }), "invalid-field"],
    ["an expiry beyond a Date", tokenBody({ expires_on: 1e300, expires_in: undefined }), "invalid-field"]
  ])("refuses %s", (_, body, reason) => {
    const error = left(body)
    expect(error).toBeInstanceOf(ManagedIdentityError.InvalidResponse)
    expect(error.reason).toBe(reason)
    expect(error.source).toBe("IMDS")
    expect(error.status).toBe(200)
    expect(error.message.startsWith("IMDS answered 200")).toBe(true)
  })

  it("names the invalid field without quoting its value", () => {
    const error = left(tokenBody({ expires_in: "soon-ish" }))
    expect(error.message).toContain("expires_in")
    expect(error.message).not.toContain("soon-ish")
  })

  it("treats a text/html content type as HTML even when the body looks like JSON", () => {
    const error = left(tokenBody(), { headers: { "Content-Type": "text/html; charset=utf-8" } })
    expect(error.reason).toBe("html")
  })

  it("refuses a body over 64 KiB, counting UTF-8 bytes", () => {
    const padding = "x".repeat(TokenResponse.MAX_BODY_BYTES)
    expect(left(tokenBody({ padding })).reason).toBe("too-large")
    // 30 000 three-byte characters: 90 000 bytes in 30 000 UTF-16 units.
    expect(left(tokenBody({ padding: "€".repeat(30_000) })).reason).toBe("too-large")
    expect(Either.isRight(parse(tokenBody({ padding: "x".repeat(60_000) })))).toBe(true)
  })

  it("carries context: attempts, elapsed time, endpoint without query, correlation id", () => {
    const error = left("nope", {
      attempts: 3,
      elapsedMs: 1234,
      endpoint: "http://169.254.169.254/metadata/identity/oauth2/token?api-version=2018-02-01&resource=x",
      headers: { "X-Ms-Request-Id": "abc-123" }
    })
    expect(error.attempts).toBe(3)
    expect(error.elapsedMs).toBe(1234)
    expect(error.endpoint).toBe("http://169.254.169.254/metadata/identity/oauth2/token")
    expect(error.correlationId).toBe("abc-123")
  })

  it("never quotes a token or a secret in its messages", () => {
    const secret = "super-secret-identity-header-value"
    const bodies = [
      `garbage ${TOKEN} more`,
      `access_token=${TOKEN}&x=1 ${secret}`,
      JSON.stringify({ error: "invalid_request", error_description: `bad ${TOKEN} ${secret}`, expires_in: 3600 }),
      JSON.stringify({ access_token: TOKEN, expires_on: "yesterday" }),
      JSON.stringify({ access_token: TOKEN, expires_in: -1 }),
      JSON.stringify({ access_token: TOKEN }),
      `{"access_token":"${TOKEN}"`
    ]
    for (const body of bodies) {
      const error = left(body, { secrets: [secret] })
      for (const text of [error.message, String(error), JSON.stringify(error)]) {
        expect(text).not.toContain(TOKEN)
        expect(text).not.toContain(TOKEN.slice(0, 20))
        expect(text).not.toContain(secret)
      }
    }
  })

  it("quotes a short prefix of a body that is not JSON", () => {
    expect(left("upstream connect error or disconnect").message).toContain('"upstream connect error or disconnect"')
  })

  it("quotes endpoint text without terminal controls, bidi overrides or invisible characters", () => {
    const hostile = "\u001b]0;pwned\u0007 bad\u009b31m gateway\u202e\u2066\u200b\u2028\ufeff"
    const messages = [
      left(`${hostile} upstream`).message,
      left(JSON.stringify({ error: "invalid_request", error_description: hostile })).message
    ]
    for (const message of messages) {
      expect(message).toContain("bad 31m gateway")
      expect(DisplayText.escape(message)).toBe(message)
    }
  })

  it("never throws and never returns anything but a token or a typed error (fuzz)", () => {
    const field = fc.oneof(
      fc.string(),
      fc.integer(),
      fc.double(),
      fc.constant(null),
      fc.boolean(),
      fc.stringMatching(/^\d{1,2}\/\d{1,2}\/\d{4} \d{1,2}:\d{2}:\d{2} [AP]M [+-]\d{2}:\d{2}$/),
      fc.dictionary(fc.string(), fc.string())
    )
    const jsonBody = fc
      .record(
        {
          access_token: field,
          expires_in: field,
          expires_on: field,
          not_before: field,
          refresh_in: field,
          token_type: field,
          resource: field
        },
        { requiredKeys: [] }
      )
      .map((r) => JSON.stringify(r))
    const body = fc.oneof(fc.string(), fc.fullUnicodeString(), jsonBody, fc.json())
    const headers = fc.dictionary(
      fc.constantFrom("content-type", "x-ms-request-id", "retry-after", "Content-Type"),
      fc.string()
    )
    fc.assert(
      fc.property(
        fc.integer({ min: 100, max: 599 }),
        headers,
        body,
        fc.integer({ min: 0, max: 4_102_444_800_000 }),
        (status, headers, body, now) => {
          const result = TokenResponse.parse({ source: "AppService", status, headers, body, now, resource: RESOURCE })
          if (Either.isRight(result)) {
            expect(result.right).toBeInstanceOf(AccessToken.AccessToken)
            expect(result.right.expiresOn).toBeGreaterThan(now)
            expect(result.right.refreshOn).toBeLessThanOrEqual(result.right.expiresOn)
            expect(() => JSON.stringify(result.right)).not.toThrow()
          } else {
            expect(result.left).toBeInstanceOf(ManagedIdentityError.InvalidResponse)
            expect(result.left.message.startsWith("AppService")).toBe(true)
          }
        }
      ),
      { numRuns: 1500 }
    )
  })
})

// Reading the body is the transport's job (see the transports' tests: the cap, a body that breaks
// off, an empty body); here, what a source makes of each way a body can go wrong.
describe("a token response's body, as a source reads it", () => {
  const SECRET = "app-service-identity-header-value"
  const source = AppServiceSource.make(
    Either.getOrThrow(
      AppServiceSource.fromVariables({ IDENTITY_ENDPOINT: "http://127.0.0.1:41741/msi/token", IDENTITY_HEADER: SECRET })
    )
  )
  const acquire = <E>(layer: Layer.Layer<HttpTransport.HttpTransport, E>) =>
    run(source.start({ identity: Identity.systemAssigned, resource: resource() })).pipe(
      Effect.provide(Layer.mergeAll(layer, noFiles, noPinning))
    )

  it.effect("reads a token body of exactly the cap's size and refuses one byte more", () =>
    Effect.gen(function* () {
      const body = tokenBody()
      const padded = (size: number) => body.slice(0, -1) + " ".repeat(size - body.length) + "}"
      const exact = fakeHttp([{ status: 200, body: padded(TokenResponse.MAX_BODY_BYTES) }])
      expect((yield* acquire(exact.layer)).token).toBe(TOKEN)
      const over = fakeHttp([{ status: 200, body: padded(TokenResponse.MAX_BODY_BYTES + 1) }])
      const error = yield* Effect.flip(acquire(over.layer))
      expect(error).toMatchObject({
        _tag: "InvalidResponse",
        reason: "too-large",
        status: 200,
        source: "AppService",
        endpoint: "http://127.0.0.1:41741/msi/token"
      })
      expect(error.message).toBe(
        `AppService answered 200 with a body over ${TokenResponse.MAX_BODY_BYTES} bytes, too large to be a token response`
      )
    })
  )

  it.effect("refuses a declared Content-Length over the cap without reading the body", () =>
    Effect.gen(function* () {
      let pulls = 0
      const stream = new ReadableStream<Uint8Array>({
        pull(controller) {
          pulls++
          controller.enqueue(new Uint8Array(10))
        }
      })
      const http = fakeHttp([{ status: 200, headers: { "content-length": "100000" }, body: stream }])
      const error = yield* Effect.flip(acquire(http.layer))
      expect(error).toMatchObject({ _tag: "InvalidResponse", reason: "too-large", status: 200 })
      expect(pulls).toBeLessThanOrEqual(1)
    })
  )

  it.effect("maps a body that breaks off to Transient body-interrupted, without the query or the secret", () =>
    Effect.gen(function* () {
      const stream = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(new TextEncoder().encode('{"access_token":"eyJ'))
          controller.error(new Error(`socket hang up ${SECRET}`))
        }
      })
      const http = fakeHttp([{ status: 200, body: stream }])
      const error = yield* Effect.flip(acquire(http.layer))
      expect(error).toMatchObject({
        _tag: "Transient",
        reason: "body-interrupted",
        status: 200,
        attempts: 1,
        endpoint: "http://127.0.0.1:41741/msi/token"
      })
      expect(error.message).toBe("AppService: the answer's body broke off while it was being read")
      expect(JSON.stringify(error)).not.toContain(SECRET)
    })
  )

  it.effect("reads an empty 2xx body as a truncated answer", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(acquire(fakeHttp([{ status: 200, body: null }]).layer))
      expect(error).toMatchObject({ _tag: "InvalidResponse", reason: "truncated", status: 200 })
      expect(error.message).toBe("AppService answered 200 with an empty body instead of a token")
    })
  )

  it.effect("refuses, as Rejected, a request its transport cannot encode", () =>
    Effect.gen(function* () {
      const transport: HttpTransport.Service = {
        send: () =>
          Effect.fail(
            new HttpTransport.TransportError({
              reason: "encode",
              message: "only text and byte request bodies can be sent"
            })
          )
      }
      const error = yield* Effect.flip(acquire(Layer.succeed(HttpTransport.HttpTransport, transport)))
      expect(error).toMatchObject({ _tag: "Rejected", error: "invalid_request", source: "AppService" })
      expect(error.message).toBe("AppService: the request was not sent: only text and byte request bodies can be sent")
    })
  )

  it.effect("classifies a request that got no answer by its cause", () =>
    Effect.gen(function* () {
      const refused = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:41741"), { code: "ECONNREFUSED" })
      const http = fakeHttp([{ fail: new TypeError("fetch failed", { cause: refused }) }])
      const error = yield* Effect.flip(acquire(http.layer))
      expect(error).toMatchObject({ _tag: "Unavailable", source: "AppService" })
    })
  )
})

describe("TokenResponse.parse: only header-safe tokens", () => {
  const hostile = [
    ["CR LF (header splitting)", "eyJ0eXAi.abc\r\nX-Injected: 1"],
    ["a NUL", "eyJ0eXAi.abc\u0000def"],
    ["inner spaces", "eyJ0eXAi abc"],
    ["a leading space", " eyJ0eXAi.abc"],
    ["a tab", "eyJ0eXAi.\tabc"],
    ["non-ASCII", "eyJ0eXAi.abcé"],
    ["a C1 control", "eyJ0eXAi.abc\u009b31m"],
    ["DEL", "eyJ0eXAi.abc\u007f"]
  ] as const
  for (const [name, token] of hostile) {
    it(`refuses an access_token with ${name}, without quoting it`, () => {
      const error = left(JSON.stringify({ access_token: token, expires_in: 3600 }))
      expect(error.reason).toBe("invalid-token")
      expect(error.message).toContain("Authorization header")
      expect(error.message).not.toContain("abc")
    })
  }

  it("accepts every visible-ASCII token (JWTs, opaque base64, RFC 6750 b64token)", () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[\x21-\x7e]{1,200}$/), (token) => {
        expect(right(JSON.stringify({ access_token: token, expires_in: 3600 })).token).toBe(token)
      })
    )
  })

  it("refuses any token holding a character outside visible ASCII", () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 20 }),
        fc.integer({ min: 0, max: 0xffff }).filter((c) => c < 0x21 || c > 0x7e),
        fc.string({ maxLength: 20 }),
        (before, code, after) => {
          const token = `eyJ${before}${String.fromCharCode(code)}${after}`
          expect(left(JSON.stringify({ access_token: token, expires_in: 3600 })).reason).toBe("invalid-token")
        }
      )
    )
  })
})

describe("TokenResponse.parse: the reported resource", () => {
  it.each([
    ["holds control characters", "https://vault.azure.net/\u001b]0;pwned\u0007"],
    ["holds spaces", "https://vault.azure.net/ ok"],
    ["carries the token itself", `https://x/${TOKEN}`],
    ["is empty", ""]
  ])("falls back to the requested resource when it %s", (_, reported) => {
    const token = right(JSON.stringify({ access_token: TOKEN, expires_in: 3600, resource: reported }))
    expect(token.resource).toBe(RESOURCE)
    expect(String(token)).not.toContain(TOKEN)
  })

  it("keeps a reported resource that is a resource URI", () => {
    const token = right(JSON.stringify({ access_token: TOKEN, expires_in: 3600, resource: "https://vault.azure.net" }))
    expect(token.resource).toBe("https://vault.azure.net")
  })
})

describe("TokenResponse.parse: empty and unreadable numbers next to a usable one", () => {
  const on = String(NOW / 1000 + 3600)

  it.each([
    ["an empty expires_in next to expires_on", { expires_on: on, expires_in: "" }, NOW + 3_600_000],
    ["a null expires_in next to expires_on", { expires_on: on, expires_in: null }, NOW + 3_600_000],
    ["a whitespace expires_on next to expires_in", { expires_on: "  ", expires_in: "60" }, NOW + 60_000],
    ["an unreadable expires_on next to expires_in", { expires_on: "tomorrow", expires_in: 60 }, NOW + 60_000],
    ["an unreadable expires_in next to expires_on", { expires_on: on, expires_in: "soon" }, NOW + 3_600_000]
  ])("keeps the token with %s", (_, fields, expiresOn) => {
    expect(right(JSON.stringify({ access_token: TOKEN, ...fields })).expiresOn).toBe(expiresOn)
  })

  it("ignores an empty or unreadable refresh_in (the lifetime rule applies)", () => {
    for (const refresh_in of ["", "later", null]) {
      const token = right(JSON.stringify({ access_token: TOKEN, expires_in: 3600, refresh_in }))
      expect(token.refreshOn).toBe(AccessToken.refreshOnFor({ now: NOW, expiresOn: NOW + 3_600_000 }))
    }
    const advised = right(JSON.stringify({ access_token: TOKEN, expires_in: 3600, refresh_in: "600" }))
    expect(advised.refreshOn).toBe(NOW + 600_000)
  })

  it("is invalid-field when every expiry is blank", () => {
    const error = left(JSON.stringify({ access_token: TOKEN, expires_on: "", expires_in: "" }))
    expect(error).toMatchObject({ reason: "invalid-field" })
    expect(error.message).toContain("without an expiry")
  })
})
