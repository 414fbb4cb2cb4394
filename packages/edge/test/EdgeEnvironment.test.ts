import { Environment } from "@managed-identity/core"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { EdgeEnvironment } from "../src/effect.js"

describe("EdgeEnvironment", () => {
  it("keeps text bindings and drops KV namespaces, secrets objects and empty values", () => {
    const env = EdgeEnvironment.fromBindings({
      IDENTITY_ENDPOINT: "http://127.0.0.1:8080/msi/token",
      IDENTITY_HEADER: "secret-header",
      CACHE: { get: () => null },
      EMPTY: "",
      COUNT: 3
    })
    expect(env.variables).toEqual({
      IDENTITY_ENDPOINT: "http://127.0.0.1:8080/msi/token",
      IDENTITY_HEADER: "secret-header"
    })
    expect(env.platform).toBe("posix")
  })

  it.effect("provides core's Environment service", () =>
    Effect.gen(function* () {
      const env = yield* Environment.Environment
      expect(env.variables.MSI_ENDPOINT).toBe("http://127.0.0.1:1/token")
    }).pipe(Effect.provide(EdgeEnvironment.layer({ MSI_ENDPOINT: "http://127.0.0.1:1/token" })))
  )
})
