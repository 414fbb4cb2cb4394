/**
 * Load: 10,000 concurrent callers across 1,000 resources, through the Node adapter's Promise API,
 * against an emulated IMDS that throttles like IMDS does (every request counts against a budget of
 * N per second; beyond it the answer is 429 with `Retry-After: 1`). Every caller gets a token, and
 * there is no retry storm: the requests stay bounded, and jitter spreads the retries instead of
 * sending them back in one wave each second.
 *
 * The numbers, chosen so the run takes seconds on 2 cores (measured: ≈ 2,100 requests, so ≈ 2.1
 * requests per token; busiest 100 ms of retries ≈ 60; ≈ 10 s):
 * - throttle: 300 requests per second (IMDS documents 20 per second per VM; ×15 keeps the 1,000
 *   distinct first tokens, the minimum work, at 3.3 s);
 * - retry: `{ delta: 1 s, maxDelay: 4 s, jitter: 1, maxRetries: 12 }` (the defaults are 2 s, 60 s,
 *   0.2 and 5: the same exponential shape, shortened, with full spread and more patience).
 *
 * The emulator runs in its own process, as IMDS would: 10,000 callers keep this process's event loop
 * busy for a second or two, and an in-process server could not accept connections meanwhile.
 * `connectTimeout` is raised to 10 s: issuing 1,000 RS256 tokens keeps the emulator from accepting
 * for a while, its accept queue overflows and connects then take over a second. With the default
 * 1 s probe timeout those connects end as `Unavailable` (probe-timeout), which is never retried, so
 * callers fail although the endpoint answered thousands of requests a moment earlier (the same
 * rule that core's reliability/FunctionsScenario test shows failing callers on refused and EACCES).
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { ManagedIdentity } from "@managed-identity/core"
import * as Effect from "effect/Effect"
import { type ChildProcess, spawn } from "node:child_process"
import { createRequire } from "node:module"
import { dirname, join } from "node:path"
import { ManagedIdentityCredential } from "../../src/index.js"
import { assertLoopbackOnly } from "../support/emulator.js"

const THROTTLE_PER_SECOND = 300
const RESOURCES = 1_000
const CALLERS = 10_000
const RETRY = { delta: 1_000, maxDelay: 4_000, jitter: 1, maxRetries: 12 } as const

interface Recorded {
  readonly timestamp: number
  readonly status?: number
}

let emulator: ChildProcess | undefined
let url = ""

beforeAll(async () => {
  const bin = join(
    dirname(createRequire(import.meta.url).resolve("@managed-identity/emulator/package.json")),
    "dist/bin.js"
  )
  const child = spawn(process.execPath, [bin, "--port", "0", "--fault", `imds:throttle=${THROTTLE_PER_SECOND}`], {
    // The banner with the port goes to stderr (stdout is kept for --print-env's export lines).
    stdio: ["ignore", "ignore", "pipe"]
  })
  emulator = child
  url = await new Promise<string>((resolve, reject) => {
    let output = ""
    child.once("exit", (code) => reject(new Error(`the emulator exited (${code}) before listening: ${output}`)))
    child.stderr!.on("data", (chunk: Buffer) => {
      output += chunk.toString()
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)
      if (match !== null) resolve(match[1]!)
    })
  })
})

afterAll(() => {
  emulator?.kill()
})

const requestLog = async (): Promise<ReadonlyArray<Recorded>> => {
  const response = await fetch(`${url}/admin/requests?endpoint=imds`)
  const body = (await response.json()) as { requests: ReadonlyArray<Recorded> }
  return body.requests
}

describe("10,000 callers, 1,000 resources, an IMDS that throttles", () => {
  it("every caller gets a token, requests stay bounded and jitter spreads the retries", async () => {
    // When each retry will be sent, as the policy decided it.
    const retriesAt: Array<number> = []
    const credential = new ManagedIdentityCredential({
      managedIdentity: {
        environment: assertLoopbackOnly({ AZURE_POD_IDENTITY_AUTHORITY_HOST: url }),
        endpointGuard: ManagedIdentity.allowLoopbackOnly,
        retry: RETRY,
        // See the note at the top: the default (1 s) is the probe that tells "no endpoint here"; a
        // saturated endpoint's full accept queue makes it fire, and the caller then fails at once.
        connectTimeout: "10 seconds",
        onRetry: ({ delayMs }) =>
          Effect.sync(() => {
            retriesAt.push(Date.now() + delayMs)
          })
      }
    })
    const started = Date.now()
    const results = await Promise.allSettled(
      Array.from({ length: CALLERS }, (_, i) => credential.getToken(`api://load-${i % RESOURCES}/.default`))
    )
    const elapsed = Date.now() - started
    await credential.close()

    // Every caller got a token, the same one for every caller of a resource.
    const failures = results.filter((r) => r.status === "rejected")
    expect(failures.length, String((failures[0] as PromiseRejectedResult | undefined)?.reason)).toBe(0)
    const byResource = new Map<string, Set<string>>()
    results.forEach((r, i) => {
      if (r.status !== "fulfilled") return
      const key = `load-${i % RESOURCES}`
      byResource.set(key, (byResource.get(key) ?? new Set()).add(r.value.token))
    })
    expect(byResource.size).toBe(RESOURCES)
    for (const tokens of byResource.values()) expect(tokens.size).toBe(1)

    const log = await requestLog()
    const issued = log.filter((r) => r.status === 200).length
    const throttled = log.filter((r) => r.status === 429).length
    expect(issued).toBe(RESOURCES) // single flight: one token per resource, whatever the callers
    expect(throttled).toBeGreaterThan(0) // the throttle did bite
    // Bounded: ≈ 2 requests per token measured; a storm (no back-off, or retries in lock-step into a
    // budget that counts rejected requests too) multiplies that many times over.
    expect(log.length).toBeLessThanOrEqual(3.5 * RESOURCES)

    // Spread: no 100 ms slice gets more retries than the endpoint's whole budget for a second.
    // Without jitter, every 429 of a wave would come back in the same instant: hundreds at once.
    expect(retriesAt.length).toBeGreaterThanOrEqual(throttled)
    const slices = new Map<number, number>()
    for (const at of retriesAt) slices.set(Math.floor(at / 100), (slices.get(Math.floor(at / 100)) ?? 0) + 1)
    const busiest = Math.max(...slices.values())
    expect(busiest).toBeLessThanOrEqual(THROTTLE_PER_SECOND)
    expect(slices.size).toBeGreaterThanOrEqual(10) // retries landed across seconds, not in a few bursts

    expect(elapsed).toBeLessThan(30_000)
    console.info(
      `load: ${CALLERS} callers, ${RESOURCES} resources, ${log.length} requests (${issued} tokens, ${throttled} throttled), ` +
        `${(log.length / issued).toFixed(2)} requests per token, busiest 100 ms of retries: ${busiest} (over ${slices.size} slices), ${elapsed} ms`
    )
  }, 60_000)
})
