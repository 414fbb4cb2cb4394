/**
 * The Node side of the conformance suite: starts nothing itself (each package's test starts the
 * emulator it depends on), but turns a running emulator into the suite's `Setup`, runs a runtime's
 * binary, reads the results it prints, and totals the emulator's own request log.
 *
 * @since 0.1.0
 */
import { spawn } from "node:child_process"
import { mkdir, writeFile } from "node:fs/promises"
import { createServer } from "node:net"
import { dirname, join } from "node:path"
import * as Compatibility from "./Compatibility.js"
import type { Fixtures, Setup } from "./Compatibility.js"
import * as Suite from "./Suite.js"
import { type Capabilities, type CaseResult, type EndpointName, REPORT_PREFIX, type SourceKey, USER } from "./Suite.js"

/**
 * The part of a running emulator the harness uses.
 *
 * @since 0.1.0
 * @category models
 */
export interface EmulatorLike {
  readonly url: string
  readonly keyDirectory: string
  readonly secret: string
  envFor(source: SourceKey): Readonly<Record<string, string>>
  readonly requests: { counters(): Readonly<Record<string, { readonly total: number }>> }
}

/**
 * The identities the suite expects: a system-assigned one and the suite's user-assigned one.
 *
 * @since 0.1.0
 * @category constants
 */
export const emulatorOptions = {
  identities: [{ kind: "system" as const }, { kind: "user" as const, name: "conformance", ...USER }]
}

const sources: ReadonlyArray<SourceKey> = [
  "imds",
  "appservice",
  "azureml",
  "cloudshell",
  "arc",
  "servicefabric",
  "workloadidentity"
]

/**
 * A loopback port where nothing listens (bound, then released).
 *
 * @since 0.1.0
 * @category setup
 */
export const closedPort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer()
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const address = server.address()
      const port = typeof address === "object" && address !== null ? address.port : 0
      server.close(() => resolve(port))
    })
  })

/**
 * Writes the compatibility suite's fixture files next to the emulator's Azure Arc key directory
 * (which the emulator deletes with its state when it closes): a valid key, files the challenge
 * must not be allowed to name (not `.key`, too large, in a sub-directory, outside), and paths where
 * nothing is. The runtimes cannot write files themselves.
 *
 * @since 0.1.0
 * @category setup
 */
export const writeFixtures = async (keyDirectory: string): Promise<Fixtures> => {
  const outside = dirname(keyDirectory)
  const arcKeyContent = "compatibility-arc-key-5b0a6c1d"
  const fixtures: Fixtures = {
    arcKey: join(keyDirectory, "compatibility.key"),
    arcKeyContent,
    arcNotKey: join(keyDirectory, "compatibility.txt"),
    arcOversized: join(keyDirectory, "oversized.key"),
    arcNested: join(keyDirectory, "nested", "compatibility.key"),
    arcOutside: join(outside, "outside.key"),
    arcMissing: join(keyDirectory, "missing.key"),
    missingTokenFile: join(outside, "missing-federated-token")
  }
  await mkdir(dirname(fixtures.arcNested), { recursive: true })
  for (const path of [fixtures.arcKey, fixtures.arcNotKey, fixtures.arcNested, fixtures.arcOutside])
    await writeFile(path, arcKeyContent, { mode: 0o600 })
  await writeFile(fixtures.arcOversized, "k".repeat(5000), { mode: 0o600 })
  return fixtures
}

/**
 * The suites' setup for an emulator (the conformance suite reads the `Suite.Setup` part).
 *
 * @since 0.1.0
 * @category setup
 */
export const setupFor = async (emulator: EmulatorLike): Promise<Setup> => {
  const environments = Object.fromEntries(sources.map((source) => [source, emulator.envFor(source)])) as Record<
    SourceKey,
    Readonly<Record<string, string>>
  >
  return {
    adminUrl: `${emulator.url}/admin`,
    environments,
    unreachable: { AZURE_POD_IDENTITY_AUTHORITY_HOST: `http://127.0.0.1:${await closedPort()}` },
    keyDirectory: emulator.keyDirectory,
    secret: emulator.secret,
    fixtures: await writeFixtures(emulator.keyDirectory)
  }
}

/**
 * The directories a runtime must be allowed to read: the federated token file's and Arc's key directory.
 *
 * @since 0.1.0
 * @category setup
 */
export const readablePaths = (setup: Pick<Setup, "environments" | "keyDirectory">): ReadonlyArray<string> => {
  const tokenFile = setup.environments.workloadidentity.AZURE_FEDERATED_TOKEN_FILE
  return [...new Set([setup.keyDirectory, ...(tokenFile === undefined ? [] : [dirname(tokenFile)])])]
}

/**
 * A finished child process.
 *
 * @since 0.1.0
 * @category running
 */
export interface Outcome {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

interface RunOptions {
  readonly cwd: string
  readonly env?: Readonly<Record<string, string>>
  readonly timeoutMs?: number
}

/** Spawns the command and collects its output; `onLine` sees each complete stdout line as it arrives. */
const spawned = (
  command: string,
  args: ReadonlyArray<string>,
  options: RunOptions,
  onLine: (line: string) => void = () => undefined
): Promise<Outcome & { readonly exitedAt: number }> =>
  new Promise((resolve, reject) => {
    const inherited = Object.fromEntries(
      Object.entries(process.env).filter(([name]) => !/^(https?|all|no)_proxy$/i.test(name))
    )
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: { ...inherited, NO_COLOR: "1", ...options.env },
      stdio: ["ignore", "pipe", "pipe"],
      // Its own process group, so a timeout kills the runtime too, not only the npm launcher
      // (`node_modules/.bin/deno` runs node, which runs deno) that holds its output open.
      detached: process.platform !== "win32"
    })
    let stdout = ""
    let stderr = ""
    let partial = ""
    let exitedAt = Number.NaN
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk
      const lines = (partial + chunk).split(/\r?\n/)
      partial = lines.pop() ?? ""
      for (const line of lines) onLine(line)
    })
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      stderr += chunk
    })
    const timer = setTimeout(() => {
      try {
        if (child.pid !== undefined && process.platform !== "win32") process.kill(-child.pid, "SIGKILL")
        else child.kill("SIGKILL")
      } catch {
        child.kill("SIGKILL")
      }
    }, options.timeoutMs ?? 90_000)
    child.once("error", (error) => {
      clearTimeout(timer)
      reject(error)
    })
    // `exit` is the process ending; `close` comes once its output is read too.
    child.once("exit", () => {
      exitedAt = performance.now()
    })
    child.once("close", (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr, exitedAt })
    })
  })

/**
 * Runs a command asynchronously (the emulator lives in this process, so it must keep serving),
 * killing it after `timeoutMs`. The proxy variables of this process are not passed on (the suite's
 * own calls to the emulator's admin API use the runtime's plain `fetch`); a test that wants them
 * sets them in `env`.
 *
 * @since 0.1.0
 * @category running
 */
export const execute = (command: string, args: ReadonlyArray<string>, options: RunOptions): Promise<Outcome> =>
  spawned(command, args, options).then(({ code, stdout, stderr }) => ({ code, stdout, stderr }))

/**
 * A finished child process, and how long it lived after printing a given line.
 *
 * @since 0.1.0
 * @category models
 */
export interface Lifetime extends Outcome {
  /** Milliseconds from the line to the process's exit; `undefined` when it never printed the line. */
  readonly exitAfterLineMs: number | undefined
}

/**
 * Runs a command as `execute` does and measures how long the process lives after it prints `line`:
 * for a program that then has nothing left to do, how long what it left behind holds it open.
 *
 * @since 0.1.0
 * @category running
 */
export const exitAfter = async (
  command: string,
  args: ReadonlyArray<string>,
  options: RunOptions & { readonly line: string }
): Promise<Lifetime> => {
  let printedAt: number | undefined
  const outcome = await spawned(command, args, options, (line) => {
    if (line.trim() === options.line) printedAt ??= performance.now()
  })
  return {
    code: outcome.code,
    stdout: outcome.stdout,
    stderr: outcome.stderr,
    exitAfterLineMs: printedAt === undefined ? undefined : Math.round(outcome.exitedAt - printedAt)
  }
}

/**
 * The results a runtime printed, one `MI-CONFORMANCE {json}` line per case.
 *
 * @since 0.1.0
 * @category running
 */
export const parseResults = (output: string): ReadonlyArray<CaseResult> => {
  const results: Array<CaseResult> = []
  for (const line of output.split(/\r?\n/)) {
    const index = line.indexOf(REPORT_PREFIX)
    if (index >= 0) results.push(JSON.parse(line.slice(index + REPORT_PREFIX.length)) as CaseResult)
  }
  return results
}

/**
 * The emulator's own request totals per endpoint.
 *
 * @since 0.1.0
 * @category running
 */
export const totals = (emulator: EmulatorLike): Partial<Record<EndpointName, number>> => {
  const out: Partial<Record<EndpointName, number>> = {}
  for (const [name, counter] of Object.entries(emulator.requests.counters())) {
    if (counter.total > 0) out[name as EndpointName] = counter.total
  }
  return out
}

/**
 * The expected totals without zero entries, to compare with `totals`.
 *
 * @since 0.1.0
 * @category running
 */
export const nonZero = (
  counts: Readonly<Partial<Record<EndpointName, number>>>
): Partial<Record<EndpointName, number>> =>
  Object.fromEntries(Object.entries(counts).filter(([, count]) => count !== 0)) as Partial<Record<EndpointName, number>>

/**
 * The requests each endpoint receives when a runtime runs both suites on one emulator: the sum of
 * every case's declaration, zero entries left out (to compare with `totals`).
 *
 * @since 0.1.0
 * @category running
 */
export const expectedTotals = (capabilities: Capabilities): Partial<Record<EndpointName, number>> => {
  const sum: Partial<Record<EndpointName, number>> = {}
  for (const counts of [Suite.expectedRequests(capabilities), Compatibility.expectedRequests(capabilities)]) {
    for (const [name, count] of Object.entries(counts) as Array<[EndpointName, number]>)
      sum[name] = (sum[name] ?? 0) + count
  }
  return nonZero(sum)
}
