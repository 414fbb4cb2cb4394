/**
 * A password in an endpoint variable never reaches a message: not when the URL parses, not when it
 * does not (a wrong scheme, a missing one, garbage around it), not in doctor's variable table or
 * warnings, not in a classified transport failure that quotes the URL.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Either from "effect/Either"
import * as fc from "effect/FastCheck"
import { Classification, Diagnostics, SourceCatalog } from "../src/index.js"

// A password nobody could mistake for ordinary text, so finding it anywhere is a leak.
const password = fc.stringMatching(/^[A-Za-z0-9!$@:;=~]{6,16}$/).map((p) => `Pw0${p}`)
const user = fc.stringMatching(/^[a-z]{1,8}$/)
const host = fc.constantFrom("127.0.0.1:8080", "localhost:41741", "[::1]:2377", "10.0.0.4", "host.example")
const scheme = fc.constantFrom("http://", "https://", "ftp://", "file://", "", "//", "http:/", "ht tp://", "HTTP://")
const tail = fc.constantFrom("", "/msi/token", "/metadata/identity/oauth2/token?api-version=1#x", " with spaces", "%zz")

const endpoint = fc.record({ scheme, user, password, host, tail }).map((parts) => ({
  ...parts,
  value: `${parts.scheme}${parts.user}:${parts.password}@${parts.host}${parts.tail}`
}))

const endpointVariables = [
  "IDENTITY_ENDPOINT",
  "MSI_ENDPOINT",
  "IMDS_ENDPOINT",
  "AZURE_POD_IDENTITY_AUTHORITY_HOST",
  "AZURE_AUTHORITY_HOST"
]

const environments = (name: string, value: string): Record<string, string> => {
  switch (name) {
    case "IDENTITY_ENDPOINT":
      return { IDENTITY_ENDPOINT: value, IDENTITY_HEADER: "header-value" }
    case "MSI_ENDPOINT":
      return { MSI_ENDPOINT: value }
    case "IMDS_ENDPOINT":
      return { IDENTITY_ENDPOINT: "http://127.0.0.1:40342/token", IMDS_ENDPOINT: value }
    case "AZURE_AUTHORITY_HOST":
      return {
        AZURE_FEDERATED_TOKEN_FILE: "/var/run/token",
        AZURE_CLIENT_ID: "c",
        AZURE_TENANT_ID: "t",
        AZURE_AUTHORITY_HOST: value
      }
    default:
      return { [name]: value }
  }
}

describe("no credentials from endpoint URLs in any message", () => {
  it("building the selected source refuses the value without repeating the password", () => {
    fc.assert(
      fc.property(endpoint, fc.constantFrom(...endpointVariables), ({ value, password }, name) => {
        const variables = environments(name, value)
        const descriptor = SourceCatalog.get(SourceCatalog.detectName(variables))
        const built = descriptor.build(variables, { platform: "posix", installed: [] })
        const text = Either.isLeft(built) ? `${built.left.message} ${JSON.stringify(built.left)}` : built.right.endpoint
        expect(text).not.toContain(password)
      }),
      { numRuns: 400 }
    )
  })

  it("doctor's variable table, warnings and endpoint never show it", () => {
    fc.assert(
      fc.property(endpoint, fc.constantFrom(...endpointVariables), ({ value, password }, name) => {
        const diagnosis = Diagnostics.diagnose(environments(name, value), { platform: "posix" })
        expect(JSON.stringify(diagnosis)).not.toContain(password)
      }),
      { numRuns: 400 }
    )
  })

  it("a transport failure that quotes the URL, and the endpoint itself, are stripped", () => {
    fc.assert(
      fc.property(endpoint, ({ value, password }) => {
        const error = Classification.classify({
          source: "AppService",
          endpoint: value,
          transport: Object.assign(new Error(`connect ECONNREFUSED ${value} (request to ${value} failed)`), {
            code: "ECONNREFUSED"
          })
        })
        expect(`${error.message} ${JSON.stringify(error)} ${String(error.endpoint)}`).not.toContain(password)
      }),
      { numRuns: 400 }
    )
  })
})
