/**
 * The fault matrix: every source × every emulator fault, through the Node adapter over loopback,
 * ends in its documented outcome: retried and a token within the policy, or a fast typed error of
 * the right class after the documented number of requests. `docs/fault-matrix.md` is generated from
 * the table below (`node scripts/fault-matrix.mjs`), and the last test fails when the committed
 * document differs from it, so the document cannot drift from what is tested.
 *
 * Real time matters here, so the credential gets a fast copy of each source's policy (same rules,
 * same number of retries, 5 ms back-off unit, 300 ms per attempt for the black hole, 5 s for the
 * rows that count requests exactly); the real delays are asserted with
 * TestClock in core's RetryPolicy tests. One emulator per source lets the sources run side by side.
 * The document's last section, abandoned calls, comes from support/abandonment.ts and conformance's
 * ProcessExit bounds, which Abandonment.test.ts and the Deno and Bun tests assert.
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import type { Emulator } from "@managed-identity/emulator"
import { readFileSync, writeFileSync } from "node:fs"
import * as ProcessExit from "../../../conformance/src/ProcessExit.js"
import { ABANDONED_CALLS, leaveWith, planFor, QUIET_MS } from "../support/abandonment.js"
import { assertLoopbackOnly, credentialFor, startEmulator, verifiedClaims } from "../support/emulator.js"

// ---------------------------------------------------------------------------------------------
// The table
// ---------------------------------------------------------------------------------------------

const SOURCES = ["imds", "appservice", "azureml", "cloudshell", "arc", "servicefabric", "workloadidentity"] as const
type SourceKey = (typeof SOURCES)[number]

const sourceTitle: Record<SourceKey, string> = {
  imds: "IMDS",
  appservice: "App Service",
  azureml: "Azure ML",
  cloudshell: "Cloud Shell",
  arc: "Azure Arc",
  servicefabric: "Service Fabric",
  workloadidentity: "Workload identity"
}

/** The emulator endpoint that serves each source (workload identity talks to Entra's token endpoint). */
const endpointOf: Record<SourceKey, Emulator.RecordedRequest["endpoint"]> = {
  imds: "imds",
  appservice: "appservice",
  azureml: "azureml",
  cloudshell: "cloudshell",
  arc: "arc",
  servicefabric: "servicefabric",
  workloadidentity: "entra"
}

type ErrorTag = "Unavailable" | "Transient" | "Rejected" | "InvalidResponse"

type Outcome =
  /** A token after exactly `requests` requests (undefined: timing-dependent, at least 2). */
  | { readonly _tag: "token"; readonly requests: number | undefined }
  /** This typed error, with this reason or status, after exactly `requests` requests. */
  | { readonly _tag: "error"; readonly error: ErrorTag; readonly detail: string; readonly requests: number }

interface Row {
  /** The fault, as the emulator's compact syntax after `<endpoint>:`. */
  readonly fault: string
  readonly title: string
  /** What each source does with it. */
  readonly outcome: (source: SourceKey) => Outcome
  /** Why, in one sentence, for the document. */
  readonly why: string
}

// Azure Arc answers every first request with its 401 challenge, so a token costs it one request more;
// a fault scheduled for the next N requests hits the challenge requests.
const extra = (source: SourceKey) => (source === "arc" ? 1 : 0)
const token = (source: SourceKey, faulted: number): Outcome => ({
  _tag: "token",
  requests: faulted + 1 + extra(source)
})
const error = (error: ErrorTag, detail: string, requests: number): Outcome => ({
  _tag: "error",
  error,
  detail,
  requests
})

const POLICY_ATTEMPTS = 6 // 5 retries, every source's default

const ROWS: ReadonlyArray<Row> = [
  {
    fault: "404x2",
    title: "404, twice",
    outcome: (s) =>
      s === "workloadidentity" || s === "servicefabric" ? error("Transient", "status 404", 1) : token(s, 2),
    why: "Managed-identity endpoints answer 404 while they start or update: retried. Service Fabric's 404 means the application has no identity (its documentation says not to retry it), and from Entra a 404 names a wrong tenant or authority: retrying fixes neither."
  },
  {
    fault: "410~1s",
    title: "410 for 1 s",
    outcome: (s) => (s === "imds" ? { _tag: "token", requests: undefined } : error("Transient", "status 410", 1)),
    why: "IMDS answers 410 while it is updating and is back within 70 s: it is retried for the whole gone window (70 s by default, 3 s here). No other endpoint makes that promise: 410 is final there."
  },
  {
    fault: "429,retry-after=1x1",
    title: "429 with Retry-After: 1, once",
    outcome: (s) => token(s, 1),
    why: "Throttled: retried, waiting at least the Retry-After the endpoint asked for (asserted ≥ 950 ms between the two requests)."
  },
  {
    fault: "429,retry-after=0x1",
    title: "429 with Retry-After: 0, once",
    outcome: (s) => token(s, 1),
    why: "Throttled without a wait: retried on the policy's own back-off."
  },
  {
    fault: "429,retry-after=120x1",
    title: "429 asking for 120 s",
    outcome: () => error("Transient", "status 429", 1),
    why: "A Retry-After beyond the policy's maxRetryAfter (60 s) is not waited out: the caller gets the 429 at once instead of hanging for two minutes."
  },
  {
    fault: "500x2",
    title: "500, twice",
    outcome: (s) => token(s, 2),
    why: "Server errors are transient: retried."
  },
  {
    fault: "502x2",
    title: "502, twice",
    outcome: (s) => token(s, 2),
    why: "A gateway error is transient: retried."
  },
  {
    fault: "503x2",
    title: "503, twice",
    outcome: (s) => token(s, 2),
    why: "Unavailable for now: retried."
  },
  {
    fault: "504x2",
    title: "504, twice",
    outcome: (s) => token(s, 2),
    why: "A gateway timeout is transient: retried."
  },
  {
    fault: "503",
    title: "503, every time",
    outcome: () => error("Transient", "status 503", POLICY_ATTEMPTS),
    why: "The policy gives up after its 5 retries; the error counts the 6 attempts."
  },
  {
    fault: "resetx2",
    title: "connection reset, twice",
    outcome: (s) => token(s, 2),
    why: "A reset before the answer is a network failure: retried."
  },
  {
    fault: "refuse",
    title: "connection refused",
    outcome: () => error("Unavailable", "connection-refused", 0),
    why: "Nothing listens: Unavailable, so a credential chain moves on (no request reaches the emulator's log)."
  },
  {
    fault: "blackhole",
    title: "black hole (accepts, never answers)",
    outcome: () => error("Transient", "timeout", POLICY_ATTEMPTS),
    why: "Each attempt is cut at attemptTimeout (300 ms here, 10 s by default) and retried; the caller's deadline or abort signal wins at any time."
  },
  {
    fault: "truncatex1",
    title: "truncated body, once",
    outcome: (s) => token(s, 1),
    why: "The connection dies in the middle of the body: a network failure, retried by every source."
  },
  {
    fault: "malformed",
    title: "malformed JSON (200)",
    outcome: () => error("InvalidResponse", "truncated", 1),
    why: "A complete answer that is not a token: InvalidResponse, not retried."
  },
  {
    fault: "html=502x1",
    title: "HTML error page (502), once",
    outcome: (s) => token(s, 1),
    why: "A proxy's or gateway's HTML page with a 5xx status is transient: retried."
  },
  {
    fault: "slow=100x1",
    title: "slow body (100 ms), once",
    outcome: (s) => token(s, 0),
    why: "A body that trickles in within the attempt timeout is simply read."
  },
  {
    fault: "oversized",
    title: "oversized body (> 64 KiB)",
    outcome: () => error("InvalidResponse", "too-large", 1),
    why: "Reading stops at 64 KiB: InvalidResponse, not retried."
  },
  {
    fault: "400x1",
    title: "400",
    outcome: (s) => (s === "imds" ? error("Unavailable", "identity-not-found", 1) : error("Rejected", "status 400", 1)),
    why: "The endpoint refused the request: Rejected, never retried. IMDS answers 400 for an identity the VM does not have (unless the error names the resource or scope): that identity is unavailable here, as @azure/identity says."
  }
]

/** The fast policy every case runs with: each source's own rules, times scaled down. */
const FAST = {
  retry: { delta: 5, maxDelay: 50, jitter: 0, goneWindow: 3000 },
  attemptTimeout: 300
} as const

/**
 * The black hole is the one row whose outcome is the attempt timeout. Every other row counts
 * requests exactly, so its attempts get a timeout no loaded CI machine reaches: an answer that is
 * merely slow must not turn into an extra retry there.
 */
const SLOW_MACHINE_ATTEMPT_TIMEOUT = 5_000
const policyFor = (fault: string) =>
  fault === "blackhole" ? FAST : { ...FAST, attemptTimeout: SLOW_MACHINE_ATTEMPT_TIMEOUT }

// ---------------------------------------------------------------------------------------------
// The document, generated from the table
// ---------------------------------------------------------------------------------------------

const describeOutcome = (outcome: Outcome): string =>
  outcome._tag === "token"
    ? `token${outcome.requests === undefined ? " (retried)" : ` · ${outcome.requests} req`}`
    : `**${outcome.error}** ${outcome.detail} · ${outcome.requests} req`

const renderAbandonment = (): ReadonlyArray<string> => {
  const where = (row: (typeof ABANDONED_CALLS)[number]) => {
    const { settings } = planFor(row)
    return row.joined === true
      ? `a slow answer (\`${row.fault}\`)`
      : row.during === "attempt"
        ? `a request never answered (\`${row.fault}\`; attempts cut at ${settings.attemptTimeout} ms)`
        : `the wait after a 503 (\`${row.fault}\`; retries ${settings.retry.maxDelay} ms apart)`
  }
  const after = (row: (typeof ABANDONED_CALLS)[number]) =>
    row.joined === true
      ? "the acquisition goes on: the other caller gets its token from the one request"
      : row.during === "attempt"
        ? "none; the hung request is hung up on"
        : "none"
  const runtimes = ["node", "deno", "bun"] as const
  const runtimeTitle = { node: "Node", deno: "Deno", bun: "Bun" } as const
  const scenarios: ReadonlyArray<ProcessExit.Scenario> = ["abort", "background"]
  const scenarioTitle: Record<ProcessExit.Scenario, string> = {
    abort: "an abort, during a request the endpoint never answers",
    background: "a background refresh started against a hung endpoint, and nothing else to do"
  }
  const cell = (bound: ProcessExit.Bound) =>
    `exits < ${bound.exitWithinMs} ms after it${bound.attemptTimeoutMs === undefined ? "" : ` (attemptTimeout ${bound.attemptTimeoutMs} ms)`}`
  return [
    "## Abandoned calls",
    "",
    "A caller who leaves before its token arrives (its `AbortSignal`, `requestOptions.timeout`, Effect",
    "interruption) takes the acquisition it started with it when nobody else waits for it: no further",
    "request reaches the endpoint, and no timer or socket is left behind. A caller who joined the same",
    "acquisition keeps it going. Each row is asserted against the emulator's IMDS endpoint by",
    `\`packages/node/test/reliability/Abandonment.test.ts\`, which watches the endpoint for ${QUIET_MS / 1000} s after the`,
    "caller left; with the policies shown, code that kept the acquisition going sends its next request",
    "within 0.5 s (from a request) or 1 s (from a retry wait). The next call starts afresh.",
    "",
    "| case | the caller leaves by | while the acquisition waits for | requests after it left |",
    "|---|---|---|---|",
    ...ABANDONED_CALLS.map((row) => `| ${row.title} | ${leaveWith[row.leave]} | ${where(row)} | ${after(row)} |`),
    "",
    ...ABANDONED_CALLS.map((row) => `- **${row.title}**: ${row.why}`),
    "",
    "### The process exits",
    "",
    "A background refresh (nobody waits for it) is not cancelled: it runs to the end of its own retry",
    "policy, but never holds an idle process open where the runtime allows: its waits run on unref'd",
    "timers, and the node-module transports unref its socket. Each runtime's real binary runs",
    "conformance's `ProcessExit` scenarios (the credential with its defaults, against the emulator) in a",
    "process of its own, which then has nothing left to do; the test measures the time from the",
    "scenario's last line to the process's exit (`packages/node/test/reliability/Abandonment.test.ts`,",
    "`packages/deno/test/ProcessExit.test.ts`, `packages/bun/test/ProcessExit.test.ts`). The bounds are",
    "generous for loaded machines; abandoned work used to hold the process for about 3 minutes.",
    "",
    `| what the process did last | ${runtimes.map((r) => runtimeTitle[r]).join(" | ")} |`,
    `|---|${runtimes.map(() => "---").join("|")}|`,
    ...scenarios.map(
      (scenario) =>
        `| ${scenarioTitle[scenario]} | ${runtimes.map((r) => cell(ProcessExit.boundFor(r, scenario))).join(" | ")} |`
    ),
    "",
    ...ProcessExit.bounds.map((bound) => `- **${runtimeTitle[bound.runtime]}, ${bound.scenario}**: ${bound.why}`),
    ""
  ]
}

const renderDocument = (): string => {
  const header = `| fault | ${SOURCES.map((s) => sourceTitle[s]).join(" | ")} |`
  const rule = `|---|${SOURCES.map(() => "---").join("|")}|`
  const rows = ROWS.map(
    (row) => `| ${row.title} | ${SOURCES.map((s) => describeOutcome(row.outcome(s))).join(" | ")} |`
  )
  const reasons = ROWS.map((row) => `- **${row.title}** (\`<endpoint>:${row.fault}\`): ${row.why}`)
  return [
    "# Fault matrix",
    "",
    "<!-- Generated by `node scripts/fault-matrix.mjs` from the table in",
    "     packages/node/test/reliability/FaultMatrix.test.ts. Do not edit by hand: the test fails when",
    "     this file differs from the table it checks. -->",
    "",
    "What every identity source does with every fault the emulator can inject, as observed through the",
    "Node adapter (`ManagedIdentityCredential`) over loopback. Each cell is asserted by a test: either a",
    "token (verified against the emulator's JWKS) after exactly that many requests at the endpoint, or",
    "that typed error (the `cause` of the Promise API's error; `Unavailable` surfaces as",
    "`CredentialUnavailableError`, the others as `AuthenticationError`) after exactly that many requests.",
    "",
    "The tests run each source's own retry rules with times scaled down so the matrix takes seconds:",
    `\`retry: ${JSON.stringify(FAST.retry).replace(/"/g, "").replace(/,/g, ", ").replace(/:/g, ": ")}\`,`,
    `\`attemptTimeout: ${FAST.attemptTimeout}\` (ms) for the black hole and ${SLOW_MACHINE_ATTEMPT_TIMEOUT} for the other rows, so a loaded`,
    "machine's slow answer is not an extra retry. The real delays (≈ 2, 6, 14, 30, 60 s, jittered; 70 s for",
    "IMDS's 410) are asserted under TestClock in `packages/core/test/RetryPolicy.test.ts`.",
    "",
    "`req` counts requests that reached the endpoint. Azure Arc answers each first request with its",
    "401 challenge, so its tokens cost one request more, and a fault meant for the next N requests hits",
    "the challenge requests. Workload identity is served by Entra's token endpoint.",
    "",
    header,
    rule,
    ...rows,
    "",
    "## Why",
    "",
    ...reasons,
    "",
    ...renderAbandonment()
  ].join("\n")
}

const DOCUMENT = new URL("../../../../docs/fault-matrix.md", import.meta.url)

// ---------------------------------------------------------------------------------------------
// The tests
// ---------------------------------------------------------------------------------------------

const emulators = new Map<SourceKey, Emulator.Emulator>()
// Cases of one source share its emulator, so they take turns; different sources run side by side.
const turns = new Map<SourceKey, Promise<unknown>>()
const inTurn = <A>(source: SourceKey, run: () => Promise<A>): Promise<A> => {
  const previous = turns.get(source) ?? Promise.resolve()
  const next = previous.then(run, run)
  turns.set(
    source,
    next.catch(() => undefined)
  )
  return next
}

beforeAll(async () => {
  const started = await Promise.all(SOURCES.map(() => startEmulator()))
  for (const [i, source] of SOURCES.entries()) emulators.set(source, started[i]!)
})
afterAll(async () => {
  await Promise.all([...emulators.values()].map((emulator) => emulator.close()))
})

const ARM = "https://management.azure.com/.default"

describe.concurrent("fault matrix", () => {
  for (const row of ROWS) {
    for (const source of SOURCES) {
      const expected = row.outcome(source)
      it(`${row.fault} on ${source}: ${describeOutcome(expected).replace(/\*\*/g, "")}`, () =>
        inTurn(source, async () => {
          const emulator = emulators.get(source)!
          const endpoint = endpointOf[source]
          emulator.faults.clear()
          await emulator.faults.settled()
          emulator.requests.clear()
          assertLoopbackOnly(emulator.envFor(source))
          emulator.faults.add(`${endpoint}:${row.fault}`)
          await emulator.faults.settled()
          const credential = credentialFor(emulator, source, { managedIdentity: policyFor(row.fault) })
          const started = Date.now()
          try {
            const result = await credential.getToken(ARM).then(
              (value) => ({ ok: true as const, value }),
              (failure: unknown) => ({ ok: false as const, failure })
            )
            const elapsed = Date.now() - started
            const requests = emulator.requests.count(endpoint)
            if (expected._tag === "token") {
              if (!result.ok) throw result.failure
              expect(verifiedClaims(emulator, result.value.token).aud).toBeDefined()
              if (expected.requests === undefined) expect(requests).toBeGreaterThanOrEqual(2)
              else expect(requests).toBe(expected.requests)
              if (row.fault.startsWith("429,retry-after=1")) {
                const [first, second] = emulator.requests.all(endpoint)
                expect(second!.timestamp - first!.timestamp).toBeGreaterThanOrEqual(950)
              }
            } else {
              expect(result.ok).toBe(false)
              const cause = (result as { failure: { cause: Record<string, unknown> } }).failure.cause
              expect(cause._tag).toBe(expected.error)
              const detail = expected.detail.startsWith("status ") ? `status ${cause.status}` : cause.reason
              expect(detail).toBe(expected.detail)
              expect(requests).toBe(expected.requests)
              if (expected.requests > 0) expect(cause.attempts).toBe(expected.requests)
              // Fast: bounded by the policy (6 attempts × 300 ms for the black hole), never a hang.
              expect(elapsed).toBeLessThan(4_000)
            }
          } finally {
            await credential.close()
            emulator.faults.clear()
            await emulator.faults.settled()
          }
        }))
    }
  }
})

describe("docs/fault-matrix.md", () => {
  it("is generated from this table", () => {
    const document = renderDocument()
    if (process.env.UPDATE_FAULT_MATRIX === "1") writeFileSync(DOCUMENT, document)
    let committed = ""
    try {
      committed = readFileSync(DOCUMENT, "utf8")
    } catch {
      committed = ""
    }
    expect(committed, "docs/fault-matrix.md is out of date: run `node scripts/fault-matrix.mjs`").toBe(document)
  })
})
