// Cold start: a fresh `node` process imports the credential, constructs it and gets a first token
// from the emulator, then prints one line. The parent times spawn → that line; this process adds
// its own split (import, construct + first token) for the report. The token is never printed.
//
// Ours gets the same loopback guard as everywhere else, written inline (guard.mjs) rather than
// imported from @managed-identity/core, so the measurement loads only the Promise-API entry.
import { assertLoopbackEnvironment, loopbackOnly } from "../lib/guard.mjs"
import { exit, now, options, report } from "../lib/child.mjs"

assertLoopbackEnvironment()
const { contender, scope, entry } = options()
const t0 = now()
const { ManagedIdentityCredential } = await import(entry)
const t1 = now()
const credential =
  contender === "ours"
    ? new ManagedIdentityCredential({ managedIdentity: { endpointGuard: loopbackOnly } })
    : new ManagedIdentityCredential()
const token = await credential.getToken(scope)
const t2 = now()
process.stdout.write(`first token: ${token.token.length} characters\n`)
report({
  contender,
  importMs: (t1 - t0) / 1e6,
  acquireMs: (t2 - t1) / 1e6,
  // Since the process started (performance.timeOrigin), as the process itself sees it.
  sinceStartMs: performance.now()
})
exit()
