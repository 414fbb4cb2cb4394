// One instance of a Functions-like host: a fresh process (the host's scale-out) that loads the
// documented import once, then serves `invocations` invocations one after the other, each
// constructing a new credential and awaiting getToken(scope), as handlers often do. The parent's
// emulator resets or answers 503 to a share of the requests; the parent counts this instance's
// requests (its scope is its own). Each library keeps its retry policy (ours gets a smaller delta
// with --quick only). Reports each invocation's latency and whether it failed; never a token.
import { assertLoopbackEnvironment, loopbackOnly } from "../lib/guard.cjs"
import { exit, now, options, report } from "../lib/child.cjs"

assertLoopbackEnvironment()
const { contender, entry, scope, invocations = "25", delta } = options()
const { ManagedIdentityCredential } = await import(entry)
// A new options object per invocation, as a handler writes it; the guard is one function, like a
// user's own settings would be one value.
const fresh = () =>
  contender === "ours"
    ? new ManagedIdentityCredential({
        managedIdentity: {
          endpointGuard: loopbackOnly,
          ...(delta === undefined ? {} : { retry: { delta: Number(delta) } })
        }
      })
    : new ManagedIdentityCredential()

const latencyMs = []
const failures = []
for (let i = 0; i < Number(invocations); i++) {
  const t0 = now()
  try {
    await fresh().getToken(scope)
  } catch (error) {
    failures.push(error?.name ?? "Error")
  }
  latencyMs.push((now() - t0) / 1e6)
}
report({ contender, entry, invocations: latencyMs.length, failed: failures.length, failures, latencyMs })
exit()
