// What every benchmark child process shares: its result goes to stdout as one `RESULT {json}` line
// the parent parses. Tokens never go anywhere: children report lengths, counts and timings only.
// CommonJS, like guard.cjs.

/** Prints the child's result for the parent. */
const report = (result) => {
  process.stdout.write(`RESULT ${JSON.stringify(result)}\n`)
}

/** Nanoseconds since an arbitrary origin, as a number (safe for the durations measured here). */
const now = () => Number(process.hrtime.bigint())

/** The command-line arguments after the script, as `--name=value` options. */
const options = () => {
  const out = {}
  for (const arg of process.argv.slice(2)) {
    const match = /^--([^=]+)=(.*)$/.exec(arg)
    if (match !== null) out[match[1]] = match[2]
  }
  return out
}

/** Ends the process once the result is flushed (keep-alive sockets would otherwise hold it open). */
const exit = (code = 0) => {
  process.stdout.write("", () => process.exit(code))
}

exports.report = report
exports.now = now
exports.options = options
exports.exit = exit
