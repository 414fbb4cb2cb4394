import { Environment } from "@managed-identity/core"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { DenoEnvironment } from "../src/effect.js"

describe("DenoEnvironment", () => {
  it.effect("outside Deno fails with a typed error that names the runtime", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(Effect.provide(Environment.Environment, DenoEnvironment.layer))
      expect(error._tag).toBe("InvalidArgument")
      expect(error.message).toContain("must run under Deno")
    })
  )

  it.effect("layerFrom provides explicit variables, empty ones unset, on the given platform", () =>
    Effect.gen(function* () {
      const env = yield* Environment.Environment
      expect(env.variables).toEqual({ IDENTITY_ENDPOINT: "http://127.0.0.1:8081/msi/token" })
      expect(env.platform).toBe("windows")
    }).pipe(
      Effect.provide(
        DenoEnvironment.layerFrom(
          { IDENTITY_ENDPOINT: "http://127.0.0.1:8081/msi/token", IDENTITY_HEADER: "" },
          "windows"
        )
      )
    )
  )
})
