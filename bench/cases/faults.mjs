// Time to a token through scripted faults. The parent gives each run its own emulator with the same
// script (IMDS answers 410, 410, 429 with Retry-After: 1, 503, 503, then a token) and reads the
// retry timeline from that emulator's request log; this process only times the one getToken call.
// Both libraries keep their default retry policies (ours gets a smaller delta with --quick only).
import { assertLoopbackEnvironment } from "../lib/guard.cjs"
import { exit, options, report } from "../lib/child.cjs"

assertLoopbackEnvironment()
const { contender, scope, delta, entry } = options()
const { makeCredential } = await import("../lib/contenders.mjs")
const credential = await makeCredential(contender, {
  entry,
  managedIdentity: delta === undefined ? {} : { retry: { delta: Number(delta) } }
})

// Date.now(), not hrtime: the emulator stamps its request log with Date.now().
const startedAt = Date.now()
let outcome
try {
  const token = await credential.getToken(scope)
  outcome = { ok: true, tokenLength: token.token.length }
} catch (error) {
  outcome = { ok: false, error: error?.name ?? "Error" }
}
report({ contender, startedAt, ms: Date.now() - startedAt, ...outcome })
exit()
