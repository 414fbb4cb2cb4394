// Single-flight: `callers` concurrent getToken calls for one scope nobody has asked for yet. The
// parent counts the emulator requests for that scope; this process reports how the calls ended.
import { assertLoopbackEnvironment } from "../lib/guard.cjs"
import { exit, now, options, report } from "../lib/child.cjs"

assertLoopbackEnvironment()
const { contender, entry, scope, callers = "1000" } = options()
const { makeCredential } = await import("../lib/contenders.mjs")
const credential = await makeCredential(contender, { entry })

const start = now()
const outcomes = await Promise.allSettled(Array.from({ length: Number(callers) }, () => credential.getToken(scope)))
const ms = (now() - start) / 1e6

const tokens = new Set(outcomes.filter((o) => o.status === "fulfilled").map((o) => o.value.token))
const failures = outcomes.filter((o) => o.status === "rejected")
report({
  contender,
  callers: Number(callers),
  fulfilled: outcomes.length - failures.length,
  rejected: failures.length,
  // Error names only: messages may quote endpoints, never tokens, but names are all we need.
  rejections: [...new Set(failures.map((o) => o.reason?.name ?? String(o.reason)))],
  distinctTokens: tokens.size,
  ms
})
exit()
