/**
 * Abandoned calls are cancelled. A caller who leaves (its `AbortSignal`, `requestOptions.timeout`,
 * Effect interruption) while the acquisition it started is still running takes that acquisition
 * with it when it was its last waiter: no further request reaches the endpoint, and the process can
 * exit at once. Each row of support/abandonment.ts runs against its own emulator through the Node
 * adapter, watched in real time for a while after the caller left (the code before this behaviour
 * went on sending requests inside that window). Then the process itself: the built package in a
 * `node` process of its own must exit promptly after an abort, and after starting a background
 * refresh against a hung endpoint (conformance's ProcessExit scenarios, which Deno and Bun run too).
 */
import { describe, expect, it } from "@effect/vitest"
import { ManagedIdentity } from "@managed-identity/core"
import type { Emulator } from "@managed-identity/emulator"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import { fileURLToPath } from "node:url"
import { processExitSuite } from "../../../conformance/src/ProcessExitSuite.js"
import { NodeManagedIdentity } from "../../src/effect.js"
import { AbortError, AuthenticationError } from "../../src/index.js"
import { ABANDONED_CALLS, type AbandonedCall, planFor, QUIET_MS } from "../support/abandonment.js"
import { assertLoopbackOnly, credentialFor, startEmulator, verifiedClaims } from "../support/emulator.js"

const ARM = "https://management.azure.com/.default"

const until = async (condition: () => boolean): Promise<void> => {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5))
}
const quiet = () => new Promise((resolve) => setTimeout(resolve, QUIET_MS))

const requestsOf = (emulator: Emulator.Emulator) => emulator.requests.all("imds")

/** The caller is where the row says when it leaves: its request at the endpoint, or answered 503. */
const inPlace = (emulator: Emulator.Emulator, row: AbandonedCall) => () => {
  const [first] = requestsOf(emulator)
  return first !== undefined && (row.during === "attempt" || first.status === 503)
}

/** Leaves through the Promise API (an abort or a deadline); resolves with what the call ended in. */
const leavePromise = async (emulator: Emulator.Emulator, row: AbandonedCall) => {
  const plan = planFor(row)
  const credential = credentialFor(emulator, "imds", { managedIdentity: plan.settings })
  const controller = new AbortController()
  const call = credential
    .getToken(
      ARM,
      row.leave === "abort" ? { abortSignal: controller.signal } : { requestOptions: { timeout: plan.deadlineMs } }
    )
    .then(
      () => ({ ok: true as const, error: undefined }),
      (error: unknown) => ({ ok: false as const, error })
    )
  const joined = row.joined === true ? credential.getToken(ARM) : undefined
  if (row.leave === "abort") {
    await until(inPlace(emulator, row))
    controller.abort()
  }
  const ended = await call
  // A deadline passes on its own: it must have found the acquisition where the row says.
  expect(inPlace(emulator, row)()).toBe(true)
  return { credential, ended, joined }
}

describe.concurrent("an abandoned call is cancelled", () => {
  for (const row of ABANDONED_CALLS) {
    it(`${row.title}: ${row.joined === true ? "the other caller gets its token" : "no further request"}`, async () => {
      const emulator = await startEmulator()
      try {
        assertLoopbackOnly(emulator.envFor("imds"))
        emulator.faults.add(`imds:${row.fault}`)
        await emulator.faults.settled()
        if (row.leave === "interrupt") {
          await Effect.gen(function* () {
            const fiber = yield* Effect.fork(ManagedIdentity.getToken(ARM))
            yield* Effect.promise(() => until(inPlace(emulator, row)))
            yield* Fiber.interrupt(fiber)
            // Inside the program: closing the layer would end the acquisition whatever happened.
            yield* Effect.promise(quiet)
            expect(requestsOf(emulator)).toHaveLength(1)
          }).pipe(
            Effect.provide(
              NodeManagedIdentity.layer({
                environment: emulator.envFor("imds"),
                endpointGuard: ManagedIdentity.allowLoopbackOnly,
                ...planFor(row).settings
              })
            ),
            Effect.runPromise
          )
          await until(() => requestsOf(emulator)[0]?.outcome === "aborted")
          return
        }
        const { credential, ended, joined } = await leavePromise(emulator, row)
        try {
          expect(ended.ok).toBe(false)
          if (row.leave === "abort") {
            expect(ended.error).toBeInstanceOf(AbortError)
          } else {
            expect(ended.error).toBeInstanceOf(AuthenticationError)
            expect((ended.error as { cause: Record<string, unknown> }).cause).toMatchObject({
              _tag: "Transient",
              reason: "timeout"
            })
            expect((ended.error as Error).message).toContain("deadline")
          }
          if (joined !== undefined) {
            // The acquisition went on for the caller who stayed: its token, from the one request.
            expect(verifiedClaims(emulator, (await joined).token).aud).toBeDefined()
            await quiet()
            expect(requestsOf(emulator).map((r) => r.status)).toEqual([200])
            return
          }
          // A request the endpoint never answered is hung up on, not left open.
          if (row.during === "attempt") await until(() => requestsOf(emulator)[0]?.outcome === "aborted")
          await quiet()
          expect(requestsOf(emulator)).toHaveLength(1)
          // The next call starts afresh, and the endpoint, now healthy, gives it a token.
          emulator.faults.clear()
          await emulator.faults.settled()
          expect(verifiedClaims(emulator, (await credential.getToken(ARM)).token).aud).toBeDefined()
          // Every request after the abandoned one is the new call's: one, or more where a loaded
          // machine let an attempt outlive its 500 ms timeout and the policy retried it.
          const [abandoned, ...fresh] = requestsOf(emulator)
          expect(abandoned?.status).not.toBe(200)
          expect(fresh.length).toBeGreaterThanOrEqual(1)
          expect(fresh.at(-1)?.status).toBe(200)
        } finally {
          await credential.close()
        }
      } finally {
        await emulator.close()
      }
    })
  }
})

// The built package in a `node` process of its own (support/abandonedCall.mjs).
processExitSuite({
  runtime: "node",
  cwd: fileURLToPath(new URL("../..", import.meta.url)),
  command: (args) => ({ command: process.execPath, args: ["test/support/abandonedCall.mjs", ...args] })
})
