import { describe, expect, it } from "@effect/vitest"
import { inspect } from "node:util"
import { AccessToken } from "../src/index.js"

const SECRET = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.secret-payload.secret-signature"
const HOUR = 3_600_000

const token = new AccessToken.AccessToken({
  token: SECRET,
  expiresOn: Date.UTC(2030, 0, 1),
  refreshOn: Date.UTC(2029, 11, 31, 23, 55),
  tokenType: "Bearer",
  resource: "https://management.azure.com/"
})

describe("AccessToken", () => {
  it("never shows the token in String, JSON or inspect", () => {
    for (const rendered of [String(token), JSON.stringify(token), inspect(token), `${token}`]) {
      expect(rendered).not.toContain(SECRET)
      expect(rendered).not.toContain("secret-payload")
    }
    expect(JSON.stringify(token)).toContain("<redacted>")
    expect(token.token).toBe(SECRET)
  })

  it.each([
    { name: "refresh_in wins", expiresOn: 24 * HOUR, refreshInMs: HOUR, expected: HOUR },
    { name: "24 h token refreshes at half-life", expiresOn: 24 * HOUR, refreshInMs: undefined, expected: 12 * HOUR },
    { name: "exactly 2 h refreshes at half-life", expiresOn: 2 * HOUR, refreshInMs: undefined, expected: HOUR },
    { name: "1 h token refreshes 5 min before expiry", expiresOn: HOUR, refreshInMs: undefined, expected: 55 * 60_000 },
    { name: "a 2 min token refreshes now", expiresOn: 120_000, refreshInMs: undefined, expected: 0 },
    { name: "refresh_in past expiry is capped", expiresOn: HOUR, refreshInMs: 2 * HOUR, expected: HOUR },
    { name: "a zero refresh_in is ignored", expiresOn: HOUR, refreshInMs: 0, expected: 55 * 60_000 }
  ])("refreshOnFor: $name", ({ expiresOn, refreshInMs, expected }) => {
    expect(AccessToken.refreshOnFor({ now: 0, expiresOn, refreshInMs })).toBe(expected)
  })

  it("isValid is strict at expiry; needsRefresh starts at refreshOn", () => {
    expect(AccessToken.isValid(token, token.expiresOn - 1)).toBe(true)
    expect(AccessToken.isValid(token, token.expiresOn)).toBe(false)
    expect(AccessToken.needsRefresh(token, token.refreshOn - 1)).toBe(false)
    expect(AccessToken.needsRefresh(token, token.refreshOn)).toBe(true)
  })
})
