import { describe, expect, it } from "@effect/vitest"
import { run } from "../src/internal/exchange.js"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import { CloudShellSource, Identity } from "../src/index.js"
import { TOKEN, bodyText, fakeHttp, resource, tokenBody, urlOf } from "./support/sourceFakes.js"

const config = Either.getOrThrow(
  CloudShellSource.fromVariables({ MSI_ENDPOINT: "http://localhost:50342/oauth2/token" })
)
const ARM = resource()

describe("CloudShellSource", () => {
  it("needs MSI_ENDPOINT, and names it when invalid", () => {
    expect(Either.isLeft(CloudShellSource.fromVariables({}))).toBe(true)
    const bad = CloudShellSource.fromVariables({ MSI_ENDPOINT: "file:///etc/passwd" })
    expect(Either.isLeft(bad) && bad.left).toMatchObject({ _tag: "InvalidArgument", argument: "MSI_ENDPOINT" })
  })

  it("POSTs the resource as a form body with Metadata: true", () => {
    const request = Either.getOrThrow(CloudShellSource.request(config, Identity.systemAssigned, ARM))
    expect(request.method).toBe("POST")
    expect(urlOf(request).href).toBe("http://localhost:50342/oauth2/token")
    expect(request.headers).toEqual({ metadata: "true", "content-type": "application/x-www-form-urlencoded" })
    expect(request.body?.contentType).toBe("application/x-www-form-urlencoded")
    expect(bodyText(request)).toBe("resource=https%3A%2F%2Fmanagement.azure.com%2F")
  })

  it("encodes an injected resource inside the form", () => {
    const request = Either.getOrThrow(
      CloudShellSource.request(config, Identity.systemAssigned, resource("https://x/&client_id=evil"))
    )
    expect(new URLSearchParams(bodyText(request)).get("resource")).toBe("https://x/&client_id=evil")
    expect(new URLSearchParams(bodyText(request)).get("client_id")).toBeNull()
  })

  it.each([
    Either.getOrThrow(Identity.clientId("c")),
    Either.getOrThrow(Identity.objectId("o")),
    Either.getOrThrow(Identity.resourceId("/r"))
  ])("refuses the user-assigned identity %j", (identity) => {
    const result = CloudShellSource.request(config, identity, ARM)
    expect(Either.isLeft(result) && result.left).toMatchObject({
      _tag: "Unavailable",
      reason: "unsupported-identity"
    })
    expect(Either.isLeft(result) && result.left.message).toMatch(/^CloudShell cannot select a user-assigned identity/)
  })

  it.effect("gets a token end to end", () =>
    Effect.gen(function* () {
      const http = fakeHttp([{ status: 200, body: tokenBody({ expires_in: "3600" }) }])
      const token = yield* run(
        CloudShellSource.make(config).start({ identity: Identity.systemAssigned, resource: ARM })
      ).pipe(Effect.provide(http.layer))
      expect(token.token).toBe(TOKEN)
      expect(http.recorded[0]).toMatchObject({ method: "POST", body: "resource=https%3A%2F%2Fmanagement.azure.com%2F" })
      expect(CloudShellSource.make(config).endpoint).toBe("http://localhost:50342/oauth2/token")
    })
  )
})
