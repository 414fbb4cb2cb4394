/**
 * Secrets never leak: every source runs through the whole service (cache, breaker, retry, telemetry)
 * with spans recorded by a test tracer, logs captured in logfmt and JSON (the program logs each retry
 * through `onRetry`, each failure's full cause and each token it gets, as users do), and every error
 * rendered every way a user can render it (message, toString, JSON, util.inspect, Cause.pretty, and
 * the Promise API's Error). The endpoints misbehave on purpose: they echo the secret header, the
 * Arc key, the federated assertion and the access token back in error bodies and correlation headers. None of those values may appear anywhere in what was captured.
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import { describe, expect, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as Option from "effect/Option"
import * as Tracer from "effect/Tracer"
import { inspect } from "node:util"
import {
  CertificatePinning,
  Environment,
  FetchTransport,
  FileReader,
  HttpClientTransport,
  HttpTransport,
  ManagedIdentity,
  type SourceName,
  TokenCredential
} from "../../src/index.js"

const SECRETS = {
  header: "mi-identity-header-6a1f0c5e9d8b7a6f5e4d3c2b1a09",
  arcKey: "arc-key-material-0f1e2d3c4b5a69788796a5b4c3d2e1f0",
  assertion:
    "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQ6ZGVmYXVsdDp3b3JrbG9hZCJ9.YXNzZXJ0aW9uLXNpZ25hdHVyZQ",
  token: "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJodHRwczovL3ZhdWx0LmF6dXJlLm5ldCJ9.dG9rZW4tc2lnbmF0dXJl"
} as const
const secretValues = Object.values(SECRETS)

const KEY_DIRECTORY = "/var/opt/azcmagent/tokens"
const KEY_FILE = `${KEY_DIRECTORY}/0123abcd.key`
const TOKEN_FILE = "/var/run/secrets/azure/tokens/azure-identity-token"

const variables: Record<SourceName.SourceName, Record<string, string>> = {
  IMDS: { AZURE_POD_IDENTITY_AUTHORITY_HOST: "http://127.0.0.1:8079" },
  AppService: { IDENTITY_ENDPOINT: "http://127.0.0.1:8081/msi/token", IDENTITY_HEADER: SECRETS.header },
  AzureML: { MSI_ENDPOINT: "http://127.0.0.1:8082/msi/token", MSI_SECRET: SECRETS.header },
  CloudShell: { MSI_ENDPOINT: "http://127.0.0.1:8083/oauth2/token" },
  AzureArc: {
    IDENTITY_ENDPOINT: "http://127.0.0.1:40342/metadata/identity/oauth2/token",
    IMDS_ENDPOINT: "http://127.0.0.1:40342"
  },
  ServiceFabric: {
    IDENTITY_ENDPOINT: "https://127.0.0.1:2377/metadata/identity/oauth2/token",
    IDENTITY_HEADER: SECRETS.header,
    IDENTITY_SERVER_THUMBPRINT: "AB".repeat(20)
  },
  WorkloadIdentity: {
    AZURE_FEDERATED_TOKEN_FILE: TOKEN_FILE,
    AZURE_CLIENT_ID: "5f9c6e1a-0000-4000-8000-00000000c11e",
    AZURE_TENANT_ID: "72f988bf-86f1-41af-91ab-2d7cd011db47",
    AZURE_AUTHORITY_HOST: "http://127.0.0.1:8084"
  }
}
const sourceNames = Object.keys(variables) as ReadonlyArray<SourceName.SourceName>

// ---------------------------------------------------------------------------------------------
// Capture: spans, logs, errors
// ---------------------------------------------------------------------------------------------

/** What @effect/opentelemetry exports of a failed span: `Cause.pretty` and each pretty error's message and stack. */
const exportedExit = (exit: Exit.Exit<unknown, unknown>): string =>
  Exit.isSuccess(exit)
    ? ""
    : [Cause.pretty(exit.cause), ...Cause.prettyErrors(exit.cause).flatMap((e) => [e.message, e.stack ?? ""])].join(
        "\n"
      )

/** The failure as a tracer holds it: any exporter that serializes it (JSON, util.inspect) shows this. */
const fullExit = (exit: Exit.Exit<unknown, unknown>): string =>
  Exit.isSuccess(exit) ? "" : `${JSON.stringify(Cause.failures(exit.cause))} ${inspect(exit.cause, { depth: 8 })}`

/** A tracer that keeps what an exporter could send: names, attributes, events, and failed exits. */
const recordingTracer = () => {
  const exported: Array<string> = []
  const inFull: Array<string> = []
  const names: Array<string> = []
  let ids = 0
  const tracer = Tracer.make({
    span(name, parent, context, links, startTime, kind) {
      names.push(name)
      const attributes = new Map<string, unknown>()
      const allLinks = [...links]
      let status: Tracer.SpanStatus = { _tag: "Started", startTime }
      const id = String(++ids)
      const span: Tracer.Span = {
        _tag: "Span",
        name,
        spanId: id,
        traceId: "trace",
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
          // Rendered after the span ended, as a batching exporter would, outside the request's fiber.
          queueMicrotask(() => {
            // Response headers are recorded verbatim by @effect/platform: they are what the endpoint
            // chose to say (here, an echo of our secret), not something this library sends or quotes.
            const recorded = [...attributes].filter(([key]) => !key.startsWith("http.response.header."))
            exported.push(`span ${name} ${JSON.stringify(recorded)} ${exportedExit(exit)}`)
            inFull.push(`span ${name} ${fullExit(exit)}`)
          })
        },
        attribute(key, value) {
          attributes.set(key, value)
        },
        event(eventName, _time, eventAttributes) {
          exported.push(`event ${eventName} ${JSON.stringify(eventAttributes ?? {})}`)
        },
        addLinks(more) {
          allLinks.push(...more)
        }
      }
      return span
    },
    context: (f) => f()
  })
  return { exported, inFull, names, tracer }
}

const recordingLogger = () => {
  const lines: Array<string> = []
  const logger = Logger.make((options) => {
    lines.push(Logger.logfmtLogger.log(options), Logger.jsonLogger.log(options))
  })
  return { lines, logger }
}

/** Everything a user can turn an error into, through both APIs. */
const renderError = (error: unknown): string => {
  const promiseError = TokenCredential.toError(error as never)
  return [
    String(error),
    (error as Error).message,
    JSON.stringify(error),
    inspect(error, { depth: 8 }),
    Cause.pretty(Cause.fail(error)),
    String(promiseError),
    promiseError.message,
    inspect(promiseError, { depth: 8 }),
    JSON.stringify(promiseError)
  ].join("\n")
}

// ---------------------------------------------------------------------------------------------
// Endpoints that misbehave with the secrets
// ---------------------------------------------------------------------------------------------

type Behaviour = "token" | "echo-400" | "503-then-token" | "transport-reset" | "not-json-echo" | "correlation-echo"
const behaviours: ReadonlyArray<Behaviour> = [
  "token",
  "echo-400",
  "503-then-token",
  "transport-reset",
  "not-json-echo",
  "correlation-echo"
]

const everySecret = secretValues.join(" ")

interface Sent {
  readonly headers: Readonly<Record<string, string>>
  readonly body: string | undefined
}

type Scripted =
  | { readonly status: number; readonly body: string; readonly headers?: Record<string, string> }
  | { readonly fail: unknown }

/** An endpoint for one behaviour; Arc's first request of each attempt is answered with the challenge. */
const script = (source: SourceName.SourceName, behaviour: Behaviour) => {
  let attempts = 0
  return (request: Sent): Scripted => {
    if (source === "AzureArc" && request.headers.authorization === undefined) {
      return { status: 401, body: "", headers: { "www-authenticate": `Basic realm=${KEY_FILE}` } }
    }
    attempts++
    const token = JSON.stringify({ access_token: SECRETS.token, expires_in: "3599", token_type: "Bearer" })
    switch (behaviour) {
      case "token":
        return { status: 200, body: token }
      case "503-then-token":
        return attempts === 1
          ? { status: 503, body: JSON.stringify({ error: "busy", error_description: `retry ${everySecret}` }) }
          : { status: 200, body: token }
      case "echo-400":
        return {
          status: 400,
          body: JSON.stringify({
            error: `invalid_request ${SECRETS.header}`,
            error_description: `You sent ${everySecret}`,
            message: everySecret,
            correlation_id: SECRETS.arcKey
          })
        }
      case "not-json-echo":
        return { status: 200, body: `access_token=${SECRETS.token}&secret=${everySecret}` }
      case "correlation-echo":
        return { status: 500, body: "", headers: { "x-ms-request-id": SECRETS.header, "retry-after": "0" } }
      case "transport-reset":
        // What runtimes say: a code and a socket address, never the request's headers.
        return {
          fail: new TypeError("fetch failed", {
            cause: Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET", syscall: "read" })
          })
        }
    }
  }
}

/**
 * The two ways a request reaches the endpoint: the `fetch` transport the Deno, Bun and edge adapters
 * use, and a platform `HttpClient` through `HttpClientTransport` (whose own spans and logs would see
 * the request's headers).
 */
const transports = {
  fetch: (answer: (request: Sent) => Scripted, sent: Array<Sent>): HttpTransport.Service =>
    FetchTransport.make(async (_input, init) => {
      const headers: Record<string, string> = {}
      new Headers(init?.headers).forEach((value, name) => {
        headers[name] = value
      })
      const body = init?.body instanceof Uint8Array ? new TextDecoder().decode(init.body) : undefined
      const request = { headers, body }
      sent.push(request)
      const reply = answer(request)
      if ("fail" in reply) throw reply.fail
      return new Response(reply.body, { status: reply.status, headers: reply.headers ?? {} })
    }),
  HttpClient: (answer: (request: Sent) => Scripted, sent: Array<Sent>): HttpTransport.Service =>
    HttpClientTransport.fromHttpClient(
      HttpClient.make((request) => {
        const body = request.body._tag === "Uint8Array" ? new TextDecoder().decode(request.body.body) : undefined
        const entry = { headers: { ...request.headers }, body }
        sent.push(entry)
        const reply = answer(entry)
        if ("fail" in reply) {
          return Effect.fail(new HttpClientError.RequestError({ request, reason: "Transport", cause: reply.fail }))
        }
        return Effect.succeed(
          HttpClientResponse.fromWeb(
            request,
            new Response(reply.body, { status: reply.status, headers: reply.headers ?? {} })
          )
        )
      })
    )
}
type TransportName = keyof typeof transports

const endpoint = (source: SourceName.SourceName, behaviour: Behaviour, transport: TransportName) => {
  const sent: Array<Sent> = []
  return { sent, client: transports[transport](script(source, behaviour), sent) }
}

const services = (source: SourceName.SourceName, client: HttpTransport.Service) =>
  Layer.mergeAll(
    Layer.succeed(HttpTransport.HttpTransport, client),
    Environment.layer(variables[source]),
    FileReader.layer(FileReader.memory({ files: { [KEY_FILE]: SECRETS.arcKey, [TOKEN_FILE]: SECRETS.assertion } })),
    Layer.succeed(CertificatePinning.CertificatePinning, { client: () => Effect.succeed(client) })
  )

/** Runs every behaviour against one source with spans and logs recorded. */
const runAll = (source: SourceName.SourceName, transport: TransportName) => {
  const traces = recordingTracer()
  const logs = recordingLogger()
  return Effect.gen(function* () {
    const errors: Array<string> = []
    const outcomes: Array<string> = []
    let secretsSent = 0
    for (const behaviour of behaviours) {
      const upstream = endpoint(source, behaviour, transport)
      const program = Effect.scoped(
        Effect.gen(function* () {
          const mi = yield* ManagedIdentity.make({
            endpointGuard: ManagedIdentity.allowLoopbackOnly,
            sourceOptions: { arcKeyDirectory: KEY_DIRECTORY },
            retry: { maxRetries: 2, delta: 1, maxDelay: 2, jitter: 0 },
            // The documented way to report progress: log each retry with the error.
            onRetry: ({ attempt, delayMs, error }) =>
              Effect.logWarning(`attempt ${attempt} in ${delayMs} ms`, error.message, error)
          })
          const token = yield* mi.getToken("https://vault.azure.net/.default")
          yield* Effect.logInfo("got a token", token)
          return token
        })
      ).pipe(
        Effect.tapErrorCause((cause) => Effect.logError("getToken failed", cause)),
        Effect.provide(services(source, upstream.client))
      )
      const exit = yield* Effect.exit(program)
      outcomes.push(Exit.isSuccess(exit) ? "token" : Option.getOrThrow(Cause.failureOption(exit.cause))._tag)
      if (Exit.isFailure(exit)) {
        for (const failure of Cause.failures(exit.cause)) errors.push(renderError(failure))
      }
      // The secrets really were in play: sent where each protocol sends them.
      for (const request of upstream.sent) {
        const wire = `${JSON.stringify(request.headers)} ${request.body ?? ""}`
        if ([SECRETS.header, SECRETS.arcKey, encodeURIComponent(SECRETS.assertion)].some((s) => wire.includes(s)))
          secretsSent++
      }
    }
    // Let the exporters' deferred renderings run.
    yield* Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 0)))
    return { traces, logs: logs.lines, errors, outcomes, secretsSent }
  }).pipe(
    Effect.withTracer(traces.tracer),
    Effect.provide(Logger.replace(Logger.defaultLogger, logs.logger)),
    Logger.withMinimumLogLevel(LogLevel.All)
  )
}

const expectNoSecret = (captured: string) => {
  for (const value of secretValues) expect(captured).not.toContain(value)
  expect(captured).not.toContain(encodeURIComponent(SECRETS.assertion))
}

const cases = sourceNames.flatMap((source) =>
  (Object.keys(transports) as ReadonlyArray<TransportName>).map((transport) => [source, transport] as const)
)

describe("no secret in logs, spans or errors", () => {
  it.live.each(cases)(
    "%s over %s: errors, logs and exported spans, whatever the endpoint echoes",
    ([source, transport]) =>
      Effect.gen(function* () {
        const { traces, logs, errors, outcomes, secretsSent } = yield* runAll(source, transport)
        // Each behaviour ended as designed, so every path was really taken.
        // IMDS reads any 400 without a request-mistake code as "no such identity here" (Unavailable).
        const refused = source === "IMDS" ? "Unavailable" : "Rejected"
        expect(outcomes).toEqual(["token", refused, "token", "Transient", "InvalidResponse", "Transient"])
        if (source !== "IMDS" && source !== "CloudShell") expect(secretsSent).toBeGreaterThan(0)
        expect(traces.names).toContain("managed_identity.get_token")
        // The platform's http.client span would end holding the failed request (headers and all):
        // token requests run with it disabled, and the library's own spans say what happened.
        expect(traces.names.some((name) => name.startsWith("http.client"))).toBe(false)
        expect(logs.length).toBeGreaterThan(4)
        expect(errors).toHaveLength(4)
        expectNoSecret([...traces.exported, ...logs, ...errors].join("\n"))
      })
  )

  // A failed span holds the failure in full: the library's error and, below it, the transport's cause.
  it.live.each(cases)("%s over %s: a failed span's cause, serialized in full", ([source, transport]) =>
    Effect.gen(function* () {
      const { traces } = yield* runAll(source, transport)
      expect(traces.inFull.length).toBeGreaterThan(0)
      expectNoSecret(traces.inFull.join("\n"))
    })
  )
})
