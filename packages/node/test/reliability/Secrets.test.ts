/**
 * Secrets never leak, end to end: every source of the emulator through the Node adapter's Effect
 * API, with retries (503, reset), a refusal (400) and successes, while a test tracer records what an
 * OpenTelemetry exporter would send (span names, attributes, events, `Cause.pretty` and the pretty
 * errors of failed spans) and a logger captures logfmt and JSON lines (the program logs each retry,
 * each failure's cause and each token, as users do). No access token, identity header, Arc key file
 * content or federated assertion may appear in any of it, nor in any rendering of the errors.
 *
 * core's `test/reliability/Secrets.test.ts` runs the same capture against endpoints that echo the
 * secrets back, and also serializes the HTTP spans' failures in full.
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { ManagedIdentity, TokenCredential } from "@managed-identity/core"
import type { Emulator } from "@managed-identity/emulator"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as Tracer from "effect/Tracer"
import { readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { inspect } from "node:util"
import { NodeManagedIdentity } from "../../src/effect.js"
import { assertLoopbackOnly, startEmulator } from "../support/emulator.js"

const SOURCES = ["imds", "appservice", "azureml", "cloudshell", "arc", "servicefabric", "workloadidentity"] as const
const endpointOf = {
  imds: "imds",
  appservice: "appservice",
  azureml: "azureml",
  cloudshell: "cloudshell",
  arc: "arc",
  servicefabric: "servicefabric",
  workloadidentity: "entra"
} as const

const capture = () => {
  const lines: Array<string> = []
  const names: Array<string> = []
  const tracer = Tracer.make({
    span(name, parent, context, links, startTime, kind) {
      names.push(name)
      const attributes = new Map<string, unknown>()
      let status: Tracer.SpanStatus = { _tag: "Started", startTime }
      return {
        _tag: "Span",
        name,
        spanId: String(names.length),
        traceId: "trace",
        parent,
        context,
        get status() {
          return status
        },
        attributes,
        links: [...links],
        sampled: true,
        kind,
        end(endTime, exit) {
          status = { _tag: "Ended", startTime, endTime, exit }
          const failure = Exit.isFailure(exit)
            ? [Cause.pretty(exit.cause), ...Cause.prettyErrors(exit.cause).flatMap((e) => [e.message, e.stack ?? ""])]
            : []
          lines.push(`span ${name} ${JSON.stringify([...attributes])} ${failure.join("\n")}`)
        },
        attribute(key, value) {
          attributes.set(key, value)
        },
        event(eventName, _time, eventAttributes) {
          lines.push(`event ${eventName} ${JSON.stringify(eventAttributes ?? {})}`)
        },
        addLinks() {}
      } satisfies Tracer.Span
    },
    context: (f) => f()
  })
  const logger = Logger.make((options) => {
    lines.push(Logger.logfmtLogger.log(options), Logger.jsonLogger.log(options))
  })
  return { lines, names, tracer, logger }
}

const renderError = (error: unknown): string => {
  const promiseError = TokenCredential.toError(error as never)
  return [
    String(error),
    JSON.stringify(error),
    inspect(error, { depth: 8 }),
    Cause.pretty(Cause.fail(error)),
    String(promiseError),
    inspect(promiseError, { depth: 8 })
  ].join("\n")
}

let emulator: Emulator.Emulator
beforeAll(async () => {
  emulator = await startEmulator()
})
afterAll(async () => {
  await emulator.close()
})

describe("no secret reaches spans, logs or errors (Node adapter, real emulator)", () => {
  it.each(SOURCES)("%s", async (source) => {
    emulator.faults.clear()
    emulator.requests.clear()
    const endpoint = endpointOf[source]
    const environment = assertLoopbackOnly(emulator.envFor(source))
    const secrets = new Set<string>()
    if (source === "appservice" || source === "azureml" || source === "servicefabric") secrets.add(emulator.secret)
    if (source === "workloadidentity") secrets.add(readFileSync(environment.AZURE_FEDERATED_TOKEN_FILE!, "utf8").trim())
    const arcKeys = () => {
      for (const name of readdirSync(emulator.keyDirectory)) {
        secrets.add(readFileSync(join(emulator.keyDirectory, name), "utf8").trim())
      }
    }

    const captured = capture()
    const errors: Array<string> = []
    const outcomes: Array<string> = []
    const program = Effect.gen(function* () {
      const mi = yield* ManagedIdentity.ManagedIdentity
      const scenarios: ReadonlyArray<readonly [string, string]> = [
        ["503x1", "https://vault.azure.net"],
        ["resetx1", "https://storage.azure.com"],
        ["400x1", "https://management.azure.com"],
        ["500", "https://graph.microsoft.com"]
      ]
      for (const [fault, resource] of scenarios) {
        emulator.faults.clear()
        emulator.faults.add(`${endpoint}:${fault}`)
        const exit = yield* Effect.exit(
          mi.getToken(resource).pipe(
            Effect.tap((token) => Effect.logInfo("token acquired", token)),
            Effect.tapErrorCause((cause) => Effect.logError("getToken failed", cause))
          )
        )
        if (source === "arc") arcKeys()
        if (Exit.isSuccess(exit)) {
          secrets.add(exit.value.token)
          outcomes.push("token")
        } else {
          for (const failure of Cause.failures(exit.cause)) {
            errors.push(renderError(failure))
            outcomes.push(failure._tag)
          }
        }
      }
    }).pipe(
      Effect.provide(
        NodeManagedIdentity.layer({
          environment,
          endpointGuard: ManagedIdentity.allowLoopbackOnly,
          sourceOptions: { arcKeyDirectory: emulator.keyDirectory },
          retry: { delta: 5, maxDelay: 50, jitter: 0, maxRetries: 2 },
          circuitBreaker: false,
          onRetry: ({ attempt, error }) => Effect.logWarning(`retrying, attempt ${attempt}`, error)
        })
      ),
      Effect.withTracer(captured.tracer),
      Effect.provide(Logger.replace(Logger.defaultLogger, captured.logger)),
      Logger.withMinimumLogLevel(LogLevel.All)
    )
    await Effect.runPromise(program)
    emulator.faults.clear()

    // IMDS's 400 without a resource or scope error code: the identity is not on this VM.
    expect(outcomes).toEqual(["token", "token", source === "imds" ? "Unavailable" : "Rejected", "Transient"])
    expect(captured.names).toContain("managed_identity.get_token")
    expect(captured.lines.length).toBeGreaterThan(10)
    if (source === "arc") expect(secrets.size).toBeGreaterThanOrEqual(3) // keys were issued, and tokens
    const everything = [...captured.lines, ...errors].join("\n")
    for (const secret of secrets) {
      expect(secret.length).toBeGreaterThan(8)
      expect(everything).not.toContain(secret)
    }
    expect(emulator.requests.count(endpoint)).toBeGreaterThanOrEqual(6)
  })
})
