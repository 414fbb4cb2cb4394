/**
 * The pinning service built from a client factory (Node, Deno and Bun give node-shared's pinned `node:https` transport).
 */
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Scope from "effect/Scope"
import { CertificatePinning } from "../src/index.js"

const SHA1 = "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01"
const SHA1_PIN = "ABCDEF0123456789ABCDEF0123456789ABCDEF01"
const SHA256_PIN = "0A1B".repeat(16)

describe("CertificatePinning.make", () => {
  const factory = () => {
    const made: Array<string> = []
    let closed = 0
    const pinnedClient = (thumbprint: string): CertificatePinning.PinnedClient => {
      made.push(thumbprint)
      return { client: { send: () => Effect.die("not used") }, close: () => closed++ }
    }
    return { made, closed: () => closed, pinnedClient }
  }

  it.effect("makes one client per normalized thumbprint and closes them all with the scope", () =>
    Effect.gen(function* () {
      const { made, closed, pinnedClient } = factory()
      const scope = yield* Scope.make()
      const pinning = yield* Scope.extend(CertificatePinning.make(pinnedClient), scope)
      const first = yield* pinning.client(SHA1_PIN.toLowerCase())
      const again = yield* pinning.client(SHA1)
      const other = yield* pinning.client(SHA256_PIN)
      expect(again).toBe(first)
      expect(other).not.toBe(first)
      expect(made).toEqual([SHA1_PIN, SHA256_PIN])
      expect(closed()).toBe(0)
      yield* Scope.close(scope, Exit.void)
      expect(closed()).toBe(2)
    })
  )

  it.effect("refuses what is not a thumbprint as Unavailable, without quoting it", () =>
    Effect.gen(function* () {
      const { made, pinnedClient } = factory()
      const error = yield* Effect.flip(
        Effect.scoped(Effect.flatMap(CertificatePinning.make(pinnedClient), (p) => p.client("not-a-thumbprint")))
      )
      expect(error).toMatchObject({ _tag: "Unavailable", source: "ServiceFabric", reason: "not-configured" })
      expect(error.message).not.toContain("not-a-thumbprint")
      expect(made).toEqual([])
    })
  )

  it.effect("is provided by layer", () =>
    Effect.gen(function* () {
      const { made, closed, pinnedClient } = factory()
      yield* Effect.flatMap(CertificatePinning.CertificatePinning, (p) => p.client(SHA1_PIN)).pipe(
        Effect.provide(CertificatePinning.layer(pinnedClient))
      )
      expect(made).toEqual([SHA1_PIN])
      expect(closed()).toBe(1)
    })
  )
})
