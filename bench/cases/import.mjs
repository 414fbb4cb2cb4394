// Import time alone: how long `await import(entry)` takes in a fresh process (module resolution,
// loading, compiling and evaluating the whole graph), timed with process.hrtime.bigint().
import { assertLoopbackEnvironment } from "../lib/guard.cjs"
import { exit, now, options, report } from "../lib/child.cjs"

assertLoopbackEnvironment()
const { entry } = options()
const start = now()
const module = await import(entry)
const ms = (now() - start) / 1e6
report({ entry, ms, exports: Object.keys(module).length })
exit()
