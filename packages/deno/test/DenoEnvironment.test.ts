import { Environment } from "@managed-identity/core"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { DenoEnvironment } from "../src/index.js"

describe("DenoEnvironment", () => {
  it.effect("outside Deno fails with a typed error that names the runtime", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(Effect.provide(Environment.Environment, DenoEnvironment.layer))
      expect(error._tag).toBe("InvalidArgument")
      expect(error.message).toContain("must run under Deno")
    })
  )
})
