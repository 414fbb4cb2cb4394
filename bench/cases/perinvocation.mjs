// A credential per invocation, as Functions code is often written: `new ManagedIdentityCredential()`
// inside the handler, then `getToken(scope)`. In one process, with the documented import:
//
//   sequential   `calls` times, one after the other: construct a fresh credential, await getToken;
//                each call timed (construct + getToken, and getToken alone). Every call after the
//                first is a warm call on a fresh instance, if the process shares its cache.
//   concurrent   `concurrent` fresh credentials, each asking once, all started together, for
//                another scope nobody has asked for yet.
//
// The parent counts the emulator's requests for each scope. Tokens are never reported.
import { assertLoopbackEnvironment, loopbackOnly } from "../lib/guard.cjs"
import { exit, now, options, report } from "../lib/child.cjs"

assertLoopbackEnvironment()
const { contender, entry, sequentialScope, concurrentScope, calls = "50", concurrent = "200" } = options()
const { ManagedIdentityCredential } = await import(entry)
// Ours gets the same options object shape every time, with one guard function, as a handler would.
const fresh = () =>
  contender === "ours"
    ? new ManagedIdentityCredential({ managedIdentity: { endpointGuard: loopbackOnly } })
    : new ManagedIdentityCredential()

const callNs = []
const getTokenNs = []
let sequentialFailures = 0
for (let i = 0; i < Number(calls); i++) {
  const t0 = now()
  const credential = fresh()
  const t1 = now()
  try {
    await credential.getToken(sequentialScope)
  } catch {
    sequentialFailures++
  }
  const t2 = now()
  callNs.push(t2 - t0)
  getTokenNs.push(t2 - t1)
}

const t0 = now()
const outcomes = await Promise.allSettled(
  Array.from({ length: Number(concurrent) }, () => fresh().getToken(concurrentScope))
)
const concurrentMs = (now() - t0) / 1e6
const rejected = outcomes.filter((o) => o.status === "rejected")

report({
  contender,
  entry,
  sequential: {
    calls: callNs.length,
    failures: sequentialFailures,
    callMs: callNs.map((ns) => ns / 1e6),
    getTokenUs: getTokenNs.map((ns) => ns / 1e3)
  },
  concurrent: {
    callers: outcomes.length,
    fulfilled: outcomes.length - rejected.length,
    rejections: [...new Set(rejected.map((o) => o.reason?.name ?? String(o.reason)))],
    distinctTokens: new Set(outcomes.filter((o) => o.status === "fulfilled").map((o) => o.value.token)).size,
    ms: concurrentMs
  }
})
exit()
