/**
 * How long an abandoned call keeps a process alive, in a runtime's real binary: a scenario run in
 * a process of its own leaves work behind and then does nothing, so the time from its last line to
 * the process's exit is how long that work holds the process open. The Node test process measures
 * it (`Harness.exitAfter`) and holds the emulator. Written with Web APIs only, like the suite.
 *
 * - `abort`: a call to a black-holed endpoint, aborted once its request is there; prints `aborted`.
 * - `background`: a token already due for refresh (the emulator issues short-lived ones), the
 *   endpoint black-holed, one more call, served from the cache, which starts the background
 *   refresh; prints `idle` once the refresh's request is there.
 *
 * @since 0.1.0
 */
import type { CredentialLike, EndpointName } from "./Suite.js"

/**
 * The scenarios.
 *
 * @since 0.1.0
 * @category models
 */
export type Scenario = "abort" | "background"

/**
 * What the Node test process passes to the scenario (as JSON).
 *
 * @since 0.1.0
 * @category models
 */
export interface Setup {
  /** The emulator's variables for the source (`envFor`), loopback only. */
  readonly environment: Readonly<Record<string, string>>
  /** `<emulator url>/admin`. */
  readonly adminUrl: string
  /** The endpoint that serves the source. */
  readonly endpoint: EndpointName
  readonly resource: string
  /** The credential's `attemptTimeout` in milliseconds; default the product's (10 s). */
  readonly attemptTimeoutMs?: number | undefined
}

/**
 * An adapter's credential, built with the product's defaults (retry policy, 10 s per attempt)
 * except what points it at the emulator (the variables, the loopback-only endpoint guard) and
 * `settings`, and its `AbortError`.
 *
 * @since 0.1.0
 * @category models
 */
export interface Target {
  readonly credential: (
    environment: Readonly<Record<string, string>>,
    settings: { readonly attemptTimeout?: number }
  ) => CredentialLike
  readonly AbortError: abstract new (...args: Array<any>) => Error
}

/**
 * The line each scenario prints last.
 *
 * @since 0.1.0
 * @category constants
 */
export const lastLine: Readonly<Record<Scenario, string>> = { abort: "aborted", background: "idle" }

/**
 * What becomes of the requests each scenario sends, in the emulator's log: the one the abort hung
 * up on; the token, then the refresh the exiting process hung up on.
 *
 * @since 0.1.0
 * @category constants
 */
export const outcomes: Readonly<Record<Scenario, ReadonlyArray<string>>> = {
  abort: ["aborted"],
  background: ["answered", "aborted"]
}

/**
 * How soon a runtime's process must exit after a scenario's last line, with the attempt timeout
 * the scenario runs with. The bounds are generous (a loaded machine must not fail them) and far
 * below what abandoned work used to cost: about 3 minutes of retries against a hung endpoint.
 *
 * @since 0.1.0
 * @category models
 */
export interface Bound {
  readonly runtime: "node" | "deno" | "bun"
  readonly scenario: Scenario
  /** The credential's `attemptTimeout` in the scenario; default the product's (10 s). */
  readonly attemptTimeoutMs?: number
  /** The most milliseconds from the last line to the process's exit. */
  readonly exitWithinMs: number
  /** Why, in one sentence, for docs/fault-matrix.md. */
  readonly why: string
}

const PROMPTLY_MS = 1_500

/**
 * Every runtime's bound for every scenario: what the runtimes' tests assert, and what
 * docs/fault-matrix.md shows.
 *
 * @since 0.1.0
 * @category constants
 */
export const bounds: ReadonlyArray<Bound> = [
  {
    runtime: "node",
    scenario: "abort",
    exitWithinMs: PROMPTLY_MS,
    why: "The acquisition is interrupted: its request is destroyed and no timer is left."
  },
  {
    runtime: "deno",
    scenario: "abort",
    exitWithinMs: PROMPTLY_MS,
    why: "The acquisition is interrupted: its fetch is aborted and no timer is left."
  },
  {
    runtime: "bun",
    scenario: "abort",
    exitWithinMs: PROMPTLY_MS,
    why: "The acquisition is interrupted: its fetch is aborted and no timer is left."
  },
  {
    runtime: "node",
    scenario: "background",
    exitWithinMs: PROMPTLY_MS,
    why: "The refresh runs on, bounded by its retry policy, but its socket is unref'd and its waits run on unref'd timers."
  },
  {
    runtime: "deno",
    scenario: "background",
    attemptTimeoutMs: 1_000,
    exitWithinMs: 1_000 + PROMPTLY_MS,
    why: "A fetch cannot be unref'd in Deno: the refresh's request holds the process until its attempt times out (attemptTimeout: 10 s by default, 1 s here); the retry waits after it, on unref'd timers, do not."
  },
  {
    runtime: "bun",
    scenario: "background",
    attemptTimeoutMs: 1_000,
    exitWithinMs: 1_000 + PROMPTLY_MS,
    why: "A fetch cannot be unref'd in Bun: the refresh's request holds the process until its attempt times out (attemptTimeout: 10 s by default, 1 s here); the retry waits after it, on unref'd timers, do not."
  }
]

/**
 * The bound of one runtime and scenario.
 *
 * @since 0.1.0
 * @category constants
 */
export const boundFor = (runtime: Bound["runtime"], scenario: Scenario): Bound =>
  bounds.find((bound) => bound.runtime === runtime && bound.scenario === scenario)!

const adminCall = async (adminUrl: string, path: string, method = "GET", body?: unknown): Promise<any> => {
  const response = await fetch(`${adminUrl}${path}`, {
    method,
    // The emulator wants JSON for a state change; closing the connection leaves nothing open behind.
    headers: { connection: "close", ...(method === "GET" ? {} : { "content-type": "application/json" }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) })
  })
  if (!response.ok) throw new Error(`emulator admin ${method} ${path} answered ${response.status}`)
  return response.json()
}

const requestArrived = async (setup: Setup): Promise<void> => {
  for (;;) {
    const { requests } = (await adminCall(setup.adminUrl, `/requests?endpoint=${setup.endpoint}`)) as {
      requests: ReadonlyArray<{ outcome: string }>
    }
    if (requests.some((r) => r.outcome === "pending")) return
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

/**
 * Runs a scenario and prints its last line (or what went wrong instead).
 *
 * @since 0.1.0
 * @category running
 */
export const run = async (target: Target, scenario: Scenario, setup: Setup): Promise<void> => {
  const credential = target.credential(
    setup.environment,
    setup.attemptTimeoutMs === undefined ? {} : { attemptTimeout: setup.attemptTimeoutMs }
  )
  if (scenario === "abort") {
    const controller = new AbortController()
    const call = credential.getToken(setup.resource, { abortSignal: controller.signal })
    await requestArrived(setup)
    controller.abort()
    try {
      await call
      console.log("token")
    } catch (error) {
      console.log(error instanceof target.AbortError ? lastLine.abort : `failed: ${String(error)}`)
    }
  } else {
    await credential.getToken(setup.resource)
    await adminCall(setup.adminUrl, "/faults", "POST", { spec: `${setup.endpoint}:blackhole` })
    const cached = await credential.getToken(setup.resource)
    await requestArrived(setup)
    console.log(cached.token.length > 0 ? lastLine.background : "no token")
  }
}

/**
 * A runtime's entry file in one call: builds the target from the adapter's credential class (with
 * the loopback-only endpoint guard) and runs the scenario its arguments name (`<scenario> <setup JSON>`).
 *
 * @since 0.1.0
 * @category running
 */
export const main = (
  adapter: {
    readonly ManagedIdentityCredential: new (options: {
      readonly managedIdentity: Readonly<Record<string, unknown>>
    }) => CredentialLike
    readonly AbortError: Target["AbortError"]
    readonly endpointGuard: (endpoint: URL) => boolean
  },
  args: ReadonlyArray<string>
): Promise<void> =>
  run(
    {
      credential: (environment, settings) =>
        new adapter.ManagedIdentityCredential({
          managedIdentity: { ...settings, environment, endpointGuard: adapter.endpointGuard }
        }),
      AbortError: adapter.AbortError
    },
    args[0] as Scenario,
    JSON.parse(args[1] ?? "null") as Setup
  )
