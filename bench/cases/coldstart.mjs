// Cold start through `import`: a fresh `node` process runs this ES module, which imports the entry
// under test (`--entry`: our documented import or dedicated entry, @azure/identity, or the floor),
// constructs the credential and gets a first token from the emulator (lib/coldstart.cjs). The
// parent times spawn → the first line; this process adds its own split (import, construct + token).
//
// Everything loaded before the entry imports nothing itself: guard.cjs, child.cjs and coldstart.cjs,
// the same three files the require child loads. So the measurement loads only what the entry loads.
import { assertLoopbackEnvironment } from "../lib/guard.cjs"
import { now, options } from "../lib/child.cjs"
import { firstToken } from "../lib/coldstart.cjs"

assertLoopbackEnvironment()
const { contender, scope, entry } = options()
const t0 = now()
const { ManagedIdentityCredential } = await import(entry)
const t1 = now()
await firstToken({ ManagedIdentityCredential, contender, via: "import", t0, t1, scope })
