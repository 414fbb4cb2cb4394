import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as FiberId from "effect/FiberId"
import * as Metric from "effect/Metric"
import * as Option from "effect/Option"
import * as TestClock from "effect/TestClock"
import * as Tracer from "effect/Tracer"
import { AccessToken } from "../src/AccessToken.js"
import * as Environment from "../src/Environment.js"
import * as ManagedIdentity from "../src/ManagedIdentity.js"
import { InvalidArgument, Transient } from "../src/ManagedIdentityError.js"
import * as RetryPolicy from "../src/RetryPolicy.js"
import * as Telemetry from "../src/Telemetry.js"
import * as TokenCache from "../src/TokenCache.js"
import { fakeHttp, noFiles, noPinning, TOKEN, tokenBody } from "./support/sourceFakes.js"

const SECRET = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.secret-token-value"

/** A tracer that keeps every span so tests can read names, attributes and links after the fact. */
const recordingTracer = () => {
  const spans: Array<Tracer.Span> = []
  let ids = 0
  const tracer = Tracer.make({
    span(name, parent, context, links, startTime, kind) {
      const attributes = new Map<string, unknown>()
      const allLinks = [...links]
      let status: Tracer.SpanStatus = { _tag: "Started", startTime }
      const id = String(++ids)
      const span: Tracer.Span = {
        _tag: "Span",
        name,
        spanId: id,
        traceId: Option.match(parent, { onNone: () => `trace-${id}`, onSome: (p) => p.traceId }),
        parent,
        context,
        get status() {
          return status
        },
        attributes,
        links: allLinks,
        sampled: true,
        kind,
        end(endTime, exit) {
          status = { _tag: "Ended", startTime, endTime, exit }
        },
        attribute(key, value) {
          attributes.set(key, value)
        },
        event() {},
        addLinks(more) {
          allLinks.push(...more)
        }
      }
      spans.push(span)
      return span
    },
    context: (f) => f()
  })
  return { spans, tracer }
}

const tokenAt = (now: number) =>
  new AccessToken({
    token: SECRET,
    expiresOn: now + 3_600_000,
    refreshOn: now + 3_300_000,
    tokenType: "Bearer",
    resource: "https://vault.azure.net"
  })

const counterValue = (metric: Metric.Metric.Counter<number>) => Effect.map(Metric.value(metric), (s) => s.count)

const requestsWith = (outcome: string, status: string, source: string) =>
  counterValue(
    Metric.tagged(
      Metric.tagged(Metric.tagged(Telemetry.requests, "outcome", outcome), "status", status),
      "source",
      source
    )
  )

/** Every string reachable from a span's name, attributes and links. */
const textOf = (span: Tracer.Span): string =>
  JSON.stringify({ name: span.name, attributes: [...span.attributes], links: span.links.map((l) => l.attributes) })

describe("Telemetry", () => {
  it("names spans, attributes and metrics as documented", () => {
    expect(Telemetry.spanName).toBe("managed_identity.get_token")
    expect(Object.values(Telemetry.attributes)).toEqual([
      "managed_identity.source",
      "managed_identity.identity_kind",
      "managed_identity.resource",
      "managed_identity.attempt",
      "managed_identity.cache",
      "managed_identity.outcome",
      "managed_identity.status"
    ])
  })

  describe("outcomeOf", () => {
    const transient = new Transient({
      source: "IMDS",
      reason: "status",
      status: 503,
      message: "503",
      attempts: 1,
      elapsedMs: 1
    })
    const cases: ReadonlyArray<readonly [Exit.Exit<unknown, unknown>, Telemetry.Outcome]> = [
      [Exit.succeed(1), "success"],
      [Exit.fail(transient), "Transient"],
      [Exit.fail(new InvalidArgument({ argument: "scopes", message: "scopes: empty" })), "InvalidArgument"],
      [Exit.fail(new Error("boom")), "defect"],
      [Exit.die(new Error("bug")), "defect"],
      [Exit.interrupt(FiberId.none), "interrupted"]
    ]
    for (const [exit, outcome] of cases) {
      it(`maps to ${outcome}`, () => expect(Telemetry.outcomeOf(exit)).toBe(outcome))
    }
  })

  it.effect(
    "observeGetToken: a success is one span with source, kind and outcome, one request and one latency sample",
    () =>
      Effect.gen(function* () {
        const { spans, tracer } = recordingTracer()
        const requestsBefore = yield* requestsWith("success", "none", "IMDS")
        const latencyBefore = yield* Metric.value(Metric.tagged(Telemetry.latencyMs, "source", "IMDS"))

        const slow = Effect.zipRight(
          TestClock.adjust("250 millis"),
          Effect.sync(() => tokenAt(0))
        )
        const fiber = yield* Effect.fork(
          Telemetry.observeGetToken(slow, { source: "IMDS", identityKind: "ClientId" }).pipe(Effect.withTracer(tracer))
        )
        const token = yield* Fiber.join(fiber)
        expect(token.token).toBe(SECRET)

        expect(spans.map((s) => s.name)).toEqual(["managed_identity.get_token"])
        const span = spans[0]!
        expect(Object.fromEntries(span.attributes)).toEqual({
          "managed_identity.source": "IMDS",
          "managed_identity.identity_kind": "ClientId",
          "managed_identity.outcome": "success"
        })
        expect(span.status._tag).toBe("Ended")
        expect(yield* requestsWith("success", "none", "IMDS")).toBe(requestsBefore + 1)
        const latency = yield* Metric.value(Metric.tagged(Telemetry.latencyMs, "source", "IMDS"))
        expect(latency.count).toBe(latencyBefore.count + 1)
        expect(latency.sum - latencyBefore.sum).toBe(250)
      })
  )

  it.effect("observeGetToken: a failure records its outcome, status and attempt count", () =>
    Effect.gen(function* () {
      const { spans, tracer } = recordingTracer()
      const before = yield* requestsWith("Transient", "503", "AppService")
      const error = new Transient({
        source: "AppService",
        reason: "status",
        status: 503,
        message: "AppService answered 503",
        attempts: 6,
        elapsedMs: 112_000
      })
      const exit = yield* Effect.exit(
        Telemetry.observeGetToken(Effect.fail(error), { source: "AppService", identityKind: "SystemAssigned" }).pipe(
          Effect.withTracer(tracer)
        )
      )
      expect(exit).toStrictEqual(Exit.fail(error))
      expect(Object.fromEntries(spans[0]!.attributes)).toMatchObject({
        "managed_identity.outcome": "Transient",
        "managed_identity.status": 503,
        "managed_identity.attempt": 6
      })
      expect(yield* requestsWith("Transient", "503", "AppService")).toBe(before + 1)
    })
  )

  it.effect("observeGetToken: an input error and an interruption are counted under their own outcomes", () =>
    Effect.gen(function* () {
      const invalidBefore = yield* requestsWith("InvalidArgument", "none", "CloudShell")
      const interruptedBefore = yield* requestsWith("interrupted", "none", "CloudShell")
      const observe = <A, E>(effect: Effect.Effect<A, E>) =>
        Telemetry.observeGetToken(effect, { source: "CloudShell", identityKind: "SystemAssigned" })
      yield* Effect.exit(observe(Effect.fail(new InvalidArgument({ argument: "scopes", message: "scopes: empty" }))))
      const fiber = yield* Effect.fork(observe(Effect.never))
      yield* Effect.yieldNow()
      yield* Fiber.interrupt(fiber)
      expect(yield* requestsWith("InvalidArgument", "none", "CloudShell")).toBe(invalidBefore + 1)
      expect(yield* requestsWith("interrupted", "none", "CloudShell")).toBe(interruptedBefore + 1)
    })
  )

  it.effect("recordRetry counts retries per source, and the retry loop marks the span with the attempt number", () =>
    Effect.gen(function* () {
      const { spans, tracer } = recordingTracer()
      const before = yield* counterValue(Metric.tagged(Telemetry.retries, "source", "IMDS"))
      let calls = 0
      const attempt = Effect.suspend(() =>
        ++calls < 3
          ? Effect.fail(
              new Transient({
                source: "IMDS",
                reason: "status",
                status: 500,
                message: "500",
                attempts: 1,
                elapsedMs: 1
              })
            )
          : Effect.succeed(tokenAt(0))
      )
      const policy = RetryPolicy.make({ jitter: 0 })
      const fiber = yield* Effect.fork(
        Telemetry.observeGetToken(
          RetryPolicy.retry(policy, { onRetry: () => Telemetry.recordRetry("IMDS") })(attempt),
          { source: "IMDS", identityKind: "SystemAssigned" }
        ).pipe(Effect.withTracer(tracer))
      )
      yield* TestClock.adjust("1 minute")
      yield* Fiber.join(fiber)
      expect(yield* counterValue(Metric.tagged(Telemetry.retries, "source", "IMDS"))).toBe(before + 2)
      expect(spans[0]!.attributes.get("managed_identity.attempt")).toBe(3)
    })
  )

  it.scoped("the token cache counts hits and misses and marks the span hit, miss or refresh-ahead", () =>
    Effect.gen(function* () {
      const { spans, tracer } = recordingTracer()
      const cache = yield* TokenCache.make()
      const hitsBefore = yield* counterValue(Telemetry.cacheHits)
      const missesBefore = yield* counterValue(Telemetry.cacheMisses)
      const acquire = Effect.flatMap(
        Effect.clockWith((c) => c.currentTimeMillis),
        (now) => Effect.succeed(tokenAt(now))
      )
      const call = Telemetry.observeGetToken(cache.get("k", acquire), {
        source: "IMDS",
        identityKind: "SystemAssigned"
      }).pipe(Effect.withTracer(tracer))

      yield* call
      yield* call
      yield* TestClock.adjust("3300 seconds")
      yield* call
      yield* Effect.yieldNow()

      expect(yield* counterValue(Telemetry.cacheMisses)).toBe(missesBefore + 1)
      expect(yield* counterValue(Telemetry.cacheHits)).toBe(hitsBefore + 2)
      const getSpans = spans.filter((s) => s.name === Telemetry.spanName)
      expect(getSpans.map((s) => s.attributes.get("managed_identity.cache"))).toEqual(["miss", "hit", "refresh-ahead"])

      // The background refresh outlives the call: a root span of its own, linked to the call.
      const refresh = spans.find((s) => s.name === Telemetry.refreshSpanName)
      expect(refresh).toBeDefined()
      expect(Option.isNone(refresh!.parent)).toBe(true)
      expect(refresh!.links.map((l) => l.span)).toEqual([getSpans[2]])
      expect(refresh!.attributes.get("managed_identity.outcome")).toBe("success")
    })
  )

  it.scoped("no span name, attribute or link ever carries the token", () =>
    Effect.gen(function* () {
      const { spans, tracer } = recordingTracer()
      const cache = yield* TokenCache.make()
      const acquire = Effect.flatMap(
        Effect.clockWith((c) => c.currentTimeMillis),
        (now) => Effect.succeed(tokenAt(now))
      )
      const run = (identityKind: "SystemAssigned" | "ClientId") =>
        Telemetry.observeGetToken(
          Effect.zipRight(
            Effect.annotateCurrentSpan(Telemetry.attributes.resource, "https://vault.azure.net"),
            cache.get("k", acquire)
          ),
          { source: "IMDS", identityKind }
        ).pipe(Effect.withTracer(tracer))
      const tokens = [yield* run("SystemAssigned"), yield* run("ClientId")]
      yield* TestClock.adjust("3300 seconds")
      tokens.push(yield* run("ClientId"))
      yield* Effect.yieldNow()
      expect(tokens.every((t) => t.token === SECRET)).toBe(true)
      expect(spans.length).toBeGreaterThanOrEqual(4)
      for (const span of spans) {
        expect(textOf(span)).not.toContain(SECRET)
        expect(textOf(span)).not.toContain("secret-token-value")
      }
    })
  )

  it.scoped("ManagedIdentity's cache hits keep the span, the metrics and the caller's metric labels", () =>
    Effect.gen(function* () {
      const { spans, tracer } = recordingTracer()
      const http = fakeHttp([{ body: tokenBody() }])
      const mi = yield* ManagedIdentity.make({ endpointGuard: ManagedIdentity.allowLoopbackOnly }).pipe(
        Effect.provide(
          Layer.mergeAll(
            http.layer,
            Environment.layer({ AZURE_POD_IDENTITY_AUTHORITY_HOST: "http://127.0.0.1:8079" }),
            noFiles,
            noPinning
          )
        )
      )
      const hits = Metric.tagged(Telemetry.cacheHits, "caller", "telemetry-test")
      const successes = Metric.tagged(
        Metric.tagged(
          Metric.tagged(Metric.tagged(Telemetry.requests, "outcome", "success"), "status", "none"),
          "source",
          "IMDS"
        ),
        "caller",
        "telemetry-test"
      )
      const hitsBefore = yield* counterValue(hits)
      const successesBefore = yield* counterValue(successes)

      // Under the caller's own span and metric labels, as a program would call it.
      const call = mi
        .getToken("https://vault.azure.net/.default")
        .pipe(Effect.withSpan("caller"), Effect.tagMetrics("caller", "telemetry-test"), Effect.withTracer(tracer))
      const first = yield* call
      const second = yield* call
      expect(second).toBe(first)
      expect(http.recorded).toHaveLength(1)

      const calls = spans.filter((span) => span.name === Telemetry.spanName)
      const callers = spans.filter((span) => span.name === "caller")
      expect(calls).toHaveLength(2)
      expect(calls.map((span) => span.attributes.get("managed_identity.cache"))).toEqual(["miss", "hit"])
      for (const [index, span] of calls.entries()) {
        // Each get_token span is a child of its caller's span, ended, with the documented attributes.
        expect(Option.getOrThrow(span.parent).spanId).toBe(callers[index]!.spanId)
        expect(span.status._tag).toBe("Ended")
        expect(span.attributes.get("managed_identity.source")).toBe("IMDS")
        expect(span.attributes.get("managed_identity.identity_kind")).toBe("SystemAssigned")
        expect(span.attributes.get("managed_identity.resource")).toBe("https://vault.azure.net")
        expect(span.attributes.get("managed_identity.outcome")).toBe("success")
        expect(textOf(span)).not.toContain(TOKEN)
      }
      expect(yield* counterValue(hits)).toBe(hitsBefore + 1)
      expect(yield* counterValue(successes)).toBe(successesBefore + 2)
    })
  )
})
