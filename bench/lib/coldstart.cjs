// The part of a cold-start child after it has loaded its entry (cases/coldstart.mjs imports it,
// cases/coldstart.cjs requires it): construct the credential, get a first token, print one line
// (the parent times spawn → that line), then report the child's own split. The token is never printed.
"use strict"
const { loopbackOnly } = require("./guard.cjs")
const { exit, now, report } = require("./child.cjs")

/** `ManagedIdentityCredential` of the contender, loaded between `t0` and `t1` (hrtime ns). */
const firstToken = async ({ ManagedIdentityCredential, contender, via, t0, t1, scope }) => {
  // Ours also refuses any host but loopback; the others are held to it by the environment (guard.cjs).
  const credential =
    contender === "ours"
      ? new ManagedIdentityCredential({ managedIdentity: { endpointGuard: loopbackOnly } })
      : new ManagedIdentityCredential()
  const token = await credential.getToken(scope)
  const t2 = now()
  process.stdout.write(`first token: ${token.token.length} characters\n`)
  report({
    contender,
    via,
    importMs: (t1 - t0) / 1e6,
    acquireMs: (t2 - t1) / 1e6,
    // Since the process started (performance.timeOrigin), as the process itself sees it.
    sinceStartMs: performance.now()
  })
  exit()
}

exports.firstToken = firstToken
