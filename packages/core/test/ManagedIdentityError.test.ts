import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { ManagedIdentityError } from "../src/index.js"

describe("ManagedIdentityError", () => {
  it("withAttempts keeps the class, the message, the cause and every field", () => {
    const cause = new Error("connect ECONNRESET")
    const first = new ManagedIdentityError.Transient({
      source: "IMDS",
      reason: "status",
      status: 503,
      retryAfterMs: 1000,
      message: "IMDS answered 503 (service unavailable)",
      attempts: 1,
      elapsedMs: 4,
      correlationId: "abc-123",
      cause
    })
    const last = ManagedIdentityError.withAttempts(first, 6, 112_000)
    expect(last).toBeInstanceOf(ManagedIdentityError.Transient)
    expect(last._tag).toBe("Transient")
    expect(last.message).toBe(first.message)
    expect(last.cause).toBe(cause)
    expect(last.attempts).toBe(6)
    expect(last.elapsedMs).toBe(112_000)
    expect(last.retryAfterMs).toBe(1000)
    expect(last.correlationId).toBe("abc-123")
    expect(first.attempts).toBe(1)
  })

  it.effect("errors are yieldable and caught by tag", () =>
    Effect.gen(function* () {
      const reason = yield* new ManagedIdentityError.Unavailable({
        source: "AppService",
        reason: "access-denied",
        message: "AppService: socket access forbidden",
        attempts: 1,
        elapsedMs: 1
      }).pipe(Effect.catchTag("Unavailable", (e) => Effect.succeed(e.reason)))
      expect(reason).toBe("access-denied")
    })
  )

  it("isManagedIdentityError tells this package's errors from others", () => {
    expect(ManagedIdentityError.isManagedIdentityError(new Error("x"))).toBe(false)
    expect(
      ManagedIdentityError.isManagedIdentityError(
        new ManagedIdentityError.InvalidArgument({ argument: "a", message: "m" })
      )
    ).toBe(true)
  })
})
