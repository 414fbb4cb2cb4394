/**
 * The parsers this release added, under arbitrary input: reading a JWT's claims, judging a token's
 * identity, reading an endpoint's error body, and the Promise driver interpreting any answer. None
 * may throw, and none may put the token or a secret in what it returns.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Either from "effect/Either"
import * as fc from "effect/FastCheck"
import { AccessToken, Identity, ImdsSource, Resource, SourceCatalog } from "../src/index.js"
import { claimsOf, time } from "../src/internal/jwtClaims.js"
import { attempt } from "../src/internal/promiseExchange.js"
import { errorDetails } from "../src/internal/sourceErrorBody.js"
import { mismatch } from "../src/internal/tokenIdentity.js"

const SECRET = "Sx9-never-printed-4f1c"

const base64url = (text: string) => Buffer.from(text).toString("base64url")

// Anything a token's payload could hold: JSON of any shape, or not JSON at all.
const payload = fc.oneof(
  fc.json().map(base64url),
  fc.string().map(base64url),
  fc.string(),
  fc.constant(""),
  fc.constant("!!!")
)
const jwtLike = fc
  .tuple(fc.string(), payload, fc.string())
  .map(([header, body, signature]) => `${base64url(header)}.${body}.${signature}`)
const anyToken = fc.oneof(jwtLike, fc.string(), fc.string({ unit: "binary" }))

const identities = [
  Either.getOrThrow(Identity.fromOptions({ clientId: "5f9c6e1a-0000-4000-8000-00000000c11e" })),
  Either.getOrThrow(Identity.fromOptions({ objectId: "5f9c6e1a-0000-4000-8000-0000000000b1" })),
  Either.getOrThrow(Identity.fromOptions({ resourceId: "/subscriptions/0/resourcegroups/rg/providers/x/y" })),
  Either.getOrThrow(Identity.fromOptions({}))
]

describe("parsers under arbitrary input", () => {
  it("claimsOf and time never throw, and give an object or nothing", () => {
    fc.assert(
      fc.property(anyToken, fc.string(), (token, name) => {
        const claims = claimsOf(token)
        expect(claims === undefined || (typeof claims === "object" && !Array.isArray(claims))).toBe(true)
        const at = time(claims, name)
        expect(at === undefined || Number.isFinite(at)).toBe(true)
      }),
      { numRuns: 500 }
    )
  })

  it("mismatch never throws, and never names a secret it was not given", () => {
    fc.assert(
      fc.property(anyToken, fc.constantFrom(...identities), (token, identity) => {
        const accessToken = new AccessToken.AccessToken({
          token,
          expiresOn: Date.now() + 3_600_000,
          refreshOn: Date.now() + 1_800_000,
          tokenType: "Bearer",
          resource: "https://management.azure.com/"
        })
        const said = mismatch(identity, accessToken)
        expect(said === undefined || typeof said === "string").toBe(true)
        if (said !== undefined) expect(said).not.toContain(SECRET)
      }),
      { numRuns: 500 }
    )
  })

  it("errorDetails never throws and never quotes a secret it was told about", () => {
    const body = fc.oneof(
      fc.json(),
      fc.string(),
      fc.record({ error: fc.string(), error_description: fc.string() }).map((r) => JSON.stringify(r)),
      fc.string().map((s) => `{"error":"x","error_description":"${SECRET} ${s}"}`),
      fc.string().map((s) => `<html>${s}${SECRET}</html>`)
    )
    fc.assert(
      fc.property(body, fc.option(fc.string(), { nil: undefined }), (text, contentType) => {
        const details = errorDetails(text, contentType, [SECRET])
        expect(JSON.stringify(details)).not.toContain(SECRET)
      }),
      { numRuns: 500 }
    )
  })

  it("the Promise driver turns any answer into a token or a typed error, never a throw or a leak", async () => {
    const source = Either.getOrThrow(
      SourceCatalog.build(
        ImdsSource.descriptor,
        { AZURE_POD_IDENTITY_AUTHORITY_HOST: "http://127.0.0.1:40342" },
        { platform: "posix", installed: [] }
      )
    )
    const resource = Either.getOrThrow(Resource.make("https://management.azure.com/"))
    const answer = fc.record({
      status: fc.oneof(
        fc.constantFrom(200, 301, 400, 401, 403, 404, 407, 410, 429, 500, 503),
        fc.integer({ min: 100, max: 599 })
      ),
      headers: fc.dictionary(
        fc.constantFrom("content-type", "retry-after", "x-ms-request-id", "location", "server"),
        fc.oneof(fc.string(), fc.constant("application/json"), fc.constant("text/html"))
      ),
      body: fc.oneof(
        fc.json(),
        fc.string(),
        fc
          .record({
            access_token: anyToken,
            expires_in: fc.oneof(fc.string(), fc.integer(), fc.constant(null)),
            expires_on: fc.oneof(fc.string(), fc.integer(), fc.constant(null))
          })
          .map((r) => JSON.stringify(r)),
        fc.string().map((s) => `{"error":"invalid_request","error_description":"${s} ${SECRET}"}`)
      )
    })
    await fc.assert(
      fc.asyncProperty(answer, async (reply) => {
        const outcome = await attempt(source.start({ identity: identities[3]!, resource }), async () => reply, {
          signal: new AbortController().signal,
          attemptTimeoutMs: 1_000,
          now: Date.now
        })
        expect(["Token", "Error"]).toContain(outcome._tag)
        if (outcome._tag === "Error") {
          expect(outcome.error._tag).toMatch(/^(Unavailable|Transient|Rejected|InvalidResponse|InvalidArgument)$/)
          const token = (() => {
            try {
              return (JSON.parse(reply.body) as { access_token?: unknown }).access_token
            } catch {
              return undefined
            }
          })()
          const shown = `${outcome.error.message} ${JSON.stringify(outcome.error)}`
          if (typeof token === "string" && token.length >= 8) expect(shown).not.toContain(token)
        }
      }),
      { numRuns: 300 }
    )
  })
})
