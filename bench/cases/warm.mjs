// Warm-cache getToken throughput, one contender per process: the first call fetches the token from
// the emulator, then sequential `await getToken(scope)` calls run for a fixed time (after a warm-up,
// so the JIT has settled). Each call is awaited, as a caller would.
//
//   floor          a Map lookup returning a resolved promise: the least any Promise API can do
//   ours-promise   our ManagedIdentityCredential (the Promise API)
//   ours-effect    our ManagedIdentity.getToken inside one Effect program
//   theirs         @azure/identity's ManagedIdentityCredential
import { assertLoopbackEnvironment } from "../lib/guard.cjs"
import { exit, now, options, report } from "../lib/child.cjs"

assertLoopbackEnvironment()
const { contender, entry, scope, ms = "700", warmup = "300" } = options()
const durationNs = { "warm-up": Number(warmup) * 1e6, measure: Number(ms) * 1e6 }
const BATCH = 1000

/** Runs `call` for the warm-up, then for the measured time, and returns calls per second. */
const measure = async (call) => {
  let result
  for (const phase of ["warm-up", "measure"]) {
    let calls = 0
    const start = now()
    let elapsed = 0
    while (elapsed < durationNs[phase]) {
      for (let i = 0; i < BATCH; i++) await call()
      calls += BATCH
      elapsed = now() - start
    }
    if (phase === "measure") result = { calls, seconds: elapsed / 1e9, opsPerSecond: calls / (elapsed / 1e9) }
  }
  return result
}

if (contender === "floor") {
  const cache = new Map([[scope, { token: "x", expiresOnTimestamp: Date.now() + 3_600_000, tokenType: "Bearer" }]])
  const getToken = (s) => Promise.resolve(cache.get(s))
  report({ contender, ...(await measure(() => getToken(scope))) })
  exit()
} else if (contender === "ours-effect") {
  const Effect = await import("effect/Effect")
  const ManagedIdentity = await import("@managed-identity/core/ManagedIdentity")
  // The module's own entry point: it is the Effect API's, whatever the package root exports.
  const NodeManagedIdentity = await import("@managed-identity/node/NodeManagedIdentity")
  const program = Effect.gen(function* () {
    yield* ManagedIdentity.getToken(scope)
    const phases = {}
    for (const phase of ["warm-up", "measure"]) {
      let calls = 0
      const start = now()
      let elapsed = 0
      while (elapsed < durationNs[phase]) {
        for (let i = 0; i < BATCH; i++) yield* ManagedIdentity.getToken(scope)
        calls += BATCH
        elapsed = now() - start
      }
      phases[phase] = { calls, seconds: elapsed / 1e9, opsPerSecond: calls / (elapsed / 1e9) }
    }
    return phases.measure
  })
  const layer = NodeManagedIdentity.layer({ endpointGuard: ManagedIdentity.allowLoopbackOnly })
  report({ contender, ...(await Effect.runPromise(Effect.provide(program, layer))) })
  exit()
} else {
  const { makeCredential } = await import("../lib/contenders.mjs")
  const credential = await makeCredential(contender === "ours-promise" ? "ours" : contender, { entry })
  await credential.getToken(scope)
  report({ contender, ...(await measure(() => credential.getToken(scope))) })
  exit()
}
