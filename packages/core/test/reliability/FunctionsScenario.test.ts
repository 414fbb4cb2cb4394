/**
 * The Azure Functions write-up (seed 000): on a consumption plan about 16% of managed-identity
 * requests failed, as refused connections, resets, 503s and "socket access forbidden" (Windows
 * SocketException 10013, EACCES). Here 20 concurrent invocations make 10,000 `getToken` calls over
 * 100 resources through the App Service source while the identity endpoint fails 16% of requests
 * that way, under TestClock with the default App Service retry policy. No failure may reach a caller,
 * and the endpoint sees at most 1.3 requests per token issued (single flight + cache + retries).
 *
 * EACCES cannot be produced by a loopback server, which is why this scenario lives in core with a
 * fake `fetch` under the real `FetchTransport`; the Node suite runs the same load against the real emulator (resets and 503s).
 */
import { describe, expect, it } from "@effect/vitest"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Random from "effect/Random"
import * as TestClock from "effect/TestClock"
import { Environment, FetchTransport, ManagedIdentity } from "../../src/index.js"
import { noFiles, noPinning } from "../support/sourceFakes.js"

const ENDPOINT = "http://127.0.0.1:8081/msi/token"
const RESOURCES = Array.from({ length: 100 }, (_, i) => `api://functions-resource-${i}`)
const INVOCATIONS = 20
const CALLS = 10_000

/** mulberry32: seeded, so the failure sequence is the same on every run. */
const seeded = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}

type Failure = "refused" | "reset" | "503" | "eacces"

/** Node's own shapes for these failures, as undici reports them under `TypeError: fetch failed`. */
const transportError = (code: string, syscall: string) =>
  new TypeError("fetch failed", {
    cause: Object.assign(new Error(`${syscall} ${code} 127.0.0.1:8081`), { code, syscall, errno: -1 })
  })

/** The identity endpoint: each request fails with probability 4% per listed failure kind. */
const flakyEndpoint = (failures: ReadonlyArray<Failure>, seed: number) => {
  const random = seeded(seed)
  const counts = { requests: 0, issued: 0, failed: {} as Record<Failure, number> }
  const fetch: typeof globalThis.fetch = async (input) => {
    counts.requests++
    const draw = random()
    const failure = failures[Math.floor(draw / 0.04)]
    if (failure !== undefined) {
      counts.failed[failure] = (counts.failed[failure] ?? 0) + 1
      switch (failure) {
        case "refused":
          throw transportError("ECONNREFUSED", "connect")
        case "reset":
          throw transportError("ECONNRESET", "read")
        case "eacces":
          throw transportError("EACCES", "connect")
        case "503":
          return new Response(JSON.stringify({ statusCode: 503, message: "Service Unavailable" }), { status: 503 })
      }
    }
    counts.issued++
    const resource = FetchTransport.urlOf(input).searchParams.get("resource") ?? ""
    const body = JSON.stringify({
      access_token: `token-${counts.issued}-for-${resource}`,
      expires_on: String(Math.floor(Date.now() / 1000) + 86_400),
      resource,
      token_type: "Bearer"
    })
    return new Response(body, { status: 200 })
  }
  return { counts, layer: FetchTransport.layer(fetch) }
}

/** 20 invocations, 500 calls each, cycling through the 100 resources from different offsets. */
const runWorkload = (failures: ReadonlyArray<Failure>, seed: number) =>
  Effect.gen(function* () {
    const endpoint = flakyEndpoint(failures, seed)
    const mi = yield* ManagedIdentity.make({ endpointGuard: ManagedIdentity.allowLoopbackOnly }).pipe(
      Effect.provide(
        Layer.mergeAll(
          endpoint.layer,
          Environment.layer({ IDENTITY_ENDPOINT: ENDPOINT, IDENTITY_HEADER: "functions-identity-header" }),
          noFiles,
          noPinning
        )
      )
    )
    const outcomes = { ok: 0, failed: [] as Array<string>, wrongResource: 0 }
    const invocation = (n: number) =>
      Effect.forEach(
        Array.from({ length: CALLS / INVOCATIONS }, (_, i) => RESOURCES[(n * 37 + i * 13) % RESOURCES.length]!),
        (resource) =>
          Effect.map(Effect.either(mi.getToken(resource)), (result) => {
            if (Either.isLeft(result)) outcomes.failed.push(`${result.left._tag}: ${result.left.message}`)
            else if (!result.right.token.endsWith(`-for-${resource}`)) outcomes.wrongResource++
            else outcomes.ok++
          }),
        { discard: true }
      )
    const fiber = yield* Effect.fork(
      Effect.forEach(
        Array.from({ length: INVOCATIONS }, (_, n) => n),
        invocation,
        { concurrency: INVOCATIONS, discard: true }
      )
    )
    // Retries wait on the (test) clock: move it until every invocation is done.
    let simulatedSeconds = 0
    while (Option.isNone(yield* Fiber.poll(fiber)) && simulatedSeconds < 3600) {
      yield* TestClock.adjust(Duration.seconds(1))
      simulatedSeconds++
    }
    if (Option.isNone(yield* Fiber.poll(fiber))) {
      return yield* Effect.dieMessage("the invocations did not finish within an hour of simulated time")
    }
    yield* Fiber.join(fiber)
    return { outcomes, counts: endpoint.counts, simulatedSeconds }
  }).pipe(Effect.withRandom(Random.make(seed)))

describe("the Azure Functions write-up: 16% of identity requests fail", () => {
  it.scoped("resets and 503s (16%): no caller sees a failure, ≤ 1.3 requests per token", () =>
    Effect.gen(function* () {
      // Two kinds at 8% each.
      const { outcomes, counts } = yield* runWorkload(["reset", "503", "reset", "503"], 7)
      expect(counts.failed.reset! + counts.failed["503"]!).toBeGreaterThan(0)
      expect({ failures: outcomes.failed.length, first: outcomes.failed[0] }).toEqual({ failures: 0, first: undefined })
      expect(outcomes.wrongResource).toBe(0)
      expect(outcomes.ok).toBe(CALLS)
      expect(counts.issued).toBe(RESOURCES.length) // single flight: one token per resource
      expect(counts.requests / counts.issued).toBeLessThanOrEqual(1.3)
    })
  )

  it.scoped("refused, reset, 503 and EACCES (4% each): no caller sees a failure, ≤ 1.3 requests per token", () =>
    Effect.gen(function* () {
      const { outcomes, counts } = yield* runWorkload(["refused", "reset", "503", "eacces"], 11)
      // Every kind of the write-up actually happened.
      for (const kind of ["refused", "reset", "503", "eacces"] as const) expect(counts.failed[kind]).toBeGreaterThan(0)
      expect({ failures: outcomes.failed.length, first: outcomes.failed[0] }).toEqual({ failures: 0, first: undefined })
      expect(outcomes.wrongResource).toBe(0)
      expect(outcomes.ok).toBe(CALLS)
      expect(counts.issued).toBe(RESOURCES.length)
      expect(counts.requests / counts.issued).toBeLessThanOrEqual(1.3)
    })
  )
})
