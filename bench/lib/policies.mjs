// The retry policy each library documents, as independent models (written from the seed's guidance
// and from @azure/identity's source, not imported from either library) so the fault benchmark can
// check that every observed wait falls inside the range its policy allows.

const SECOND = 1000

/**
 * Ours (RetryPolicy.imds): retry n waits (2^n − 1) · delta, ±20 % jitter, capped at 60 s; waits after
 * a 410 are capped at 10 s (IMDS is back "within 70 seconds"); `Retry-After` is a minimum, spread up to 20 % above it.
 */
export const oursExpected = (failures, { delta = 2 * SECOND } = {}) =>
  failures.map((failure, index) => {
    const n = index + 1
    const nominal = Math.min((2 ** n - 1) * delta, 60 * SECOND)
    let low = Math.min(nominal * 0.8, 60 * SECOND)
    let high = Math.min(nominal * 1.2, 60 * SECOND)
    if (failure.status === 410) {
      low = Math.min(low, 10 * SECOND)
      high = Math.min(high, 10 * SECOND)
    }
    if (failure.retryAfterMs !== undefined) {
      low = Math.max(low, failure.retryAfterMs)
      high = Math.max(high, failure.retryAfterMs * 1.2)
    }
    return { low, high }
  })

const jittered = (base, exponent) => {
  const delay = Math.min(base * 2 ** exponent, 64 * SECOND)
  // @azure/core-util calculateRetryDelay: delay/2 + a random integer in [0, delay/2].
  return { low: delay / 2, high: delay }
}

/**
 * @azure/identity 4.13.1 (IMDS through MSAL with `disableInternalRetries`): two nested pipeline
 * policies. The outer `imdsRetryPolicy` retries 404 and 410 (base 800 ms, at least 3 s for 410,
 * ×2 per outer retry, jittered to [½, 1] of that). Inside each outer attempt the client's default
 * retry policy (3 retries) honours `Retry-After` exactly on 429/503 and otherwise backs off from
 * 1 s ×2 per retry on 408/5xx; its count restarts with every outer attempt.
 */
export const theirsExpected = (failures) => {
  let outer = 0
  let inner = 0
  return failures.map((failure) => {
    if (failure.status === 404 || failure.status === 410) {
      const range = jittered(failure.status === 410 ? 3 * SECOND : 800, outer)
      outer++
      inner = 0
      return range
    }
    const range =
      failure.retryAfterMs !== undefined
        ? { low: failure.retryAfterMs, high: failure.retryAfterMs }
        : jittered(SECOND, inner)
    inner++
    return range
  })
}

/**
 * The waits between consecutive requests of a run (arrival to arrival, so each includes the previous
 * answer's few milliseconds) next to the expected ranges, and whether each fits. The margins cover
 * timer and scheduling latency on a busy machine.
 */
export const conformance = (requests, expected) => {
  const waits = []
  for (let i = 0; i + 1 < requests.length; i++) {
    const range = expected[i]
    const ms = requests[i + 1].timestamp - requests[i].timestamp
    const fits = range !== undefined && ms >= range.low - 20 && ms <= range.high + 750
    waits.push({ after: requests[i].status, ms, low: range?.low, high: range?.high, fits })
  }
  return { waits, fits: waits.length === expected.length && waits.every((w) => w.fits) }
}
