import * as NodeContext from "@effect/platform-node/NodeContext"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { Cli } from "../src/index.js"

describe("Cli", () => {
  it.effect("rejects an unknown subcommand with a validation error", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(Cli.run(["node", "managed-identity", "no-such-command"]))
      expect(error._tag).toMatch(/Command|Validation|Invalid/)
    }).pipe(Effect.provide(NodeContext.layer))
  )
})
