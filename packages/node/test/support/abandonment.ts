/**
 * Abandoned calls, as a table: how a caller leaves (its `AbortSignal`, `requestOptions.timeout`,
 * Effect interruption) and where the acquisition is when it does (a request the endpoint never
 * answers, or the wait before a retry). test/reliability/Abandonment.test.ts runs every row against
 * the emulator; docs/fault-matrix.md is generated from it (test/reliability/FaultMatrix.test.ts).
 */

export interface AbandonedCall {
  readonly title: string
  /** The fault at the endpoint, in the emulator's syntax after `imds:`. */
  readonly fault: string
  /** How the caller leaves. */
  readonly leave: "abort" | "timeout" | "interrupt"
  /** Where the acquisition is when the caller leaves. */
  readonly during: "attempt" | "retry wait"
  /** A second caller joined the acquisition before the first left, and stays. */
  readonly joined?: boolean
  /** Why, in one sentence, for the document. */
  readonly why: string
}

/**
 * The policy each row runs with, and the deadline of the rows that leave by `requestOptions.timeout`:
 * short enough that code which kept an abandoned acquisition going would send its next request well
 * inside `QUIET_MS` (500 ms into an attempt, 1 s into a retry wait), long enough that a loaded machine
 * still leaves at the intended moment (inside the attempt; inside the first wait, after the 503).
 */
export const planFor = (row: AbandonedCall) =>
  row.joined === true
    ? // The slow answer must arrive within the attempt.
      { settings: { attemptTimeout: 5_000, retry: { delta: 5, maxDelay: 50, jitter: 0 } }, deadlineMs: 150 }
    : row.during === "attempt"
      ? { settings: { attemptTimeout: 500, retry: { delta: 5, maxDelay: 50, jitter: 0 } }, deadlineMs: 250 }
      : { settings: { attemptTimeout: 5_000, retry: { delta: 1_000, maxDelay: 1_000, jitter: 0 } }, deadlineMs: 400 }

/** How long the endpoint is watched, in real time, after the caller left. */
export const QUIET_MS = 1_500

export const ABANDONED_CALLS: ReadonlyArray<AbandonedCall> = [
  {
    title: "abort during a request the endpoint never answers",
    fault: "blackhole",
    leave: "abort",
    during: "attempt",
    why: "The caller was the acquisition's only waiter: it is interrupted, its request destroyed (the emulator sees the connection close)."
  },
  {
    title: "abort while waiting to retry a 503",
    fault: "503",
    leave: "abort",
    during: "retry wait",
    why: "The wait is interrupted with the acquisition: the retry is never sent."
  },
  {
    title: "`requestOptions.timeout` during a request the endpoint never answers",
    fault: "blackhole",
    leave: "timeout",
    during: "attempt",
    why: "A caller's deadline is a departure like an abort: the caller gets a Transient timeout error, the acquisition is interrupted."
  },
  {
    title: "`requestOptions.timeout` while waiting to retry a 503",
    fault: "503",
    leave: "timeout",
    during: "retry wait",
    why: "The same, from inside the retry wait."
  },
  {
    title: "Effect interruption during a request the endpoint never answers",
    fault: "blackhole",
    leave: "interrupt",
    during: "attempt",
    why: "An interrupted fiber (`Fiber.interrupt`, a timeout, a race lost) leaves like an aborted promise."
  },
  {
    title: "abort while a second caller waits for the same token",
    fault: "latency=800x1",
    leave: "abort",
    during: "attempt",
    joined: true,
    why: "The acquisition is shared: it goes on while anyone waits, so the second caller gets its token from the one request."
  }
]

export const leaveWith: Record<AbandonedCall["leave"], string> = {
  abort: "`AbortSignal`",
  timeout: "`requestOptions.timeout`",
  interrupt: "Effect interruption"
}
