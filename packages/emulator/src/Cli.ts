/**
 * The `managed-identity-emulator` command: starts an emulator and keeps it running until SIGINT
 * or SIGTERM. With `--print-env [source]` it prints `export …` lines for `eval` and keeps the
 * emulator running in the background, so `eval "$(managed-identity-emulator --print-env)"` works.
 *
 * @since 0.1.0
 */
import { spawn } from "node:child_process"
import { parseArgs } from "node:util"
import type { EmulatorOptions, IdentityInput, Source } from "./Emulator.js"
import { parseIdentity, parseSource, sources, start } from "./Emulator.js"
import { FaultSyntaxError, parse as parseFault } from "./Fault.js"

/**
 * Where the command writes and what stops it; defaults to the process's streams and signals.
 *
 * @since 0.1.0
 * @category models
 */
export interface CliIo {
  readonly stdout: (text: string) => void
  readonly stderr: (text: string) => void
  /** Stops a running emulator; by default SIGINT or SIGTERM. */
  readonly signal?: AbortSignal
  /**
   * How to run this command again for `--print-env`'s background emulator: the script and any
   * leading arguments (default: this process's script). A command that embeds the emulator, such as
   * `managed-identity emulator`, passes its own script and subcommand.
   */
  readonly relaunch?: ReadonlyArray<string>
}

/**
 * The last line printed by `--print-env` once the emulator is ready (a shell comment, so `eval` ignores it).
 *
 * @since 0.1.0
 * @category constants
 * @example
 * ```ts
 * import { Cli } from "@managed-identity/emulator"
 *
 * console.log(Cli.readyLine) // "# managed-identity-emulator ready"
 * ```
 */
export const readyLine = "# managed-identity-emulator ready"

/**
 * The help text.
 *
 * @since 0.1.0
 * @category constants
 * @example
 * ```ts
 * import { Cli } from "@managed-identity/emulator"
 *
 * console.log(Cli.usage)
 * ```
 */
export const usage = `Usage: managed-identity-emulator [options]

Runs a managed-identity emulator on 127.0.0.1 until SIGINT or SIGTERM.

Options:
  --port <n>                  HTTP port (default: a free one)
  --https-port <n>            HTTPS (Service Fabric) port (default: a free one)
  --identity <spec>           add an identity; repeatable. system[:clientId=…] or
                              user:clientId=…,objectId=…,resourceId=…,name=…
  --no-system-identity        do not assign a system-assigned identity
  --fault <spec>              install a fault; repeatable, e.g. imds:410x2, imds:503@0.16,
                              imds:latency=2000, *:reset~10s (see the README for the syntax)
  --lifetime <seconds>        token lifetime (default 86400)
  --tenant <id>               tenant id (default: random)
  --secret <value>            IDENTITY_HEADER / MSI_SECRET (default: random)
  --key-directory <dir>       where Azure Arc key files are written (default: a temporary directory)
  --legacy-expires-on <fmt>   date | seconds: expires_on of the 2017-09-01 endpoints (default date)
  --print-env [source]        print export lines for eval and keep running in the background;
                              source: ${sources.join(", ")} (default imds)
  --foreground                with --print-env: stay in the foreground instead
  -h, --help                  show this help

Example:
  eval "$(managed-identity-emulator --print-env)"   # then: kill $MANAGED_IDENTITY_EMULATOR_PID
`

/**
 * Formats variables as POSIX shell `export` lines, single-quoted.
 *
 * @since 0.1.0
 * @category formatting
 * @example
 * ```ts
 * import { Cli } from "@managed-identity/emulator"
 *
 * console.log(Cli.formatEnv({ AZURE_POD_IDENTITY_AUTHORITY_HOST: "http://127.0.0.1:8080" }))
 * // export AZURE_POD_IDENTITY_AUTHORITY_HOST='http://127.0.0.1:8080'
 * ```
 */
export const formatEnv = (env: Readonly<Record<string, string>>): string =>
  Object.entries(env)
    .map(([name, value]) => `export ${name}='${value.replace(/'/g, `'\\''`)}'\n`)
    .join("")

/**
 * Parsed command-line arguments.
 *
 * @since 0.1.0
 * @category models
 */
export interface Arguments {
  readonly options: EmulatorOptions
  readonly printEnv?: Source
  readonly foreground: boolean
  readonly help: boolean
}

const integerOption = (name: string, text: string | undefined): number | undefined | string => {
  if (text === undefined) return undefined
  return /^\d+$/.test(text) ? Number(text) : `--${name} must be a whole number, got "${text}"`
}

/** `--print-env` takes an optional value, which `parseArgs` cannot express: make it explicit. */
const normalizePrintEnv = (argv: ReadonlyArray<string>): Array<string> => {
  const result: Array<string> = []
  for (let index = 0; index < argv.length; index++) {
    const arg = argv[index]!
    if (arg !== "--print-env") {
      result.push(arg)
      continue
    }
    const next = argv[index + 1]
    if (next !== undefined && !next.startsWith("-")) {
      result.push(`--print-env=${next}`)
      index++
    } else result.push("--print-env=imds")
  }
  return result
}

/**
 * Parses the command line (without the `node` and script entries); returns the error message when invalid.
 *
 * @since 0.1.0
 * @category parsing
 * @example
 * ```ts
 * import { Cli } from "@managed-identity/emulator"
 *
 * const parsed = Cli.parseArguments(["--port", "8080", "--fault", "imds:410x2"])
 * ```
 */
export const parseArguments = (argv: ReadonlyArray<string>): Arguments | string => {
  let values: Record<string, string | boolean | Array<string> | undefined>
  try {
    values = parseArgs({
      args: normalizePrintEnv(argv),
      strict: true,
      allowPositionals: false,
      options: {
        port: { type: "string" },
        "https-port": { type: "string" },
        identity: { type: "string", multiple: true },
        "no-system-identity": { type: "boolean" },
        fault: { type: "string", multiple: true },
        lifetime: { type: "string" },
        tenant: { type: "string" },
        secret: { type: "string" },
        "key-directory": { type: "string" },
        "legacy-expires-on": { type: "string" },
        "print-env": { type: "string" },
        foreground: { type: "boolean" },
        help: { type: "boolean", short: "h" }
      }
    }).values
  } catch (error) {
    return error instanceof Error ? error.message : String(error)
  }
  const port = integerOption("port", values.port as string | undefined)
  const httpsPort = integerOption("https-port", values["https-port"] as string | undefined)
  const lifetime = integerOption("lifetime", values.lifetime as string | undefined)
  for (const value of [port, httpsPort, lifetime]) if (typeof value === "string") return value

  const identities: Array<IdentityInput> = []
  for (const spec of (values.identity as Array<string> | undefined) ?? []) {
    const identity = parseIdentity(spec)
    if (identity instanceof Error) return identity.message
    identities.push(identity)
  }
  if (values["no-system-identity"] !== true && !identities.some((identity) => identity.kind === "system"))
    identities.unshift({ kind: "system" })

  const faults: Array<string> = (values.fault as Array<string> | undefined) ?? []
  for (const spec of faults) {
    const fault = parseFault(spec)
    if (fault instanceof FaultSyntaxError) return fault.message
  }
  const legacy = values["legacy-expires-on"] as string | undefined
  if (legacy !== undefined && legacy !== "date" && legacy !== "seconds")
    return `--legacy-expires-on must be date or seconds, got "${legacy}"`
  const printEnvText = values["print-env"] as string | undefined
  const printEnv = printEnvText === undefined ? undefined : parseSource(printEnvText)
  if (printEnvText !== undefined && printEnv === undefined)
    return `--print-env: unknown source "${printEnvText}" (expected ${sources.join(", ")})`

  const options: EmulatorOptions = {
    identities,
    faults,
    ...(typeof port === "number" ? { port } : {}),
    ...(typeof httpsPort === "number" ? { httpsPort } : {}),
    ...(typeof lifetime === "number" ? { tokenLifetimeSeconds: lifetime } : {}),
    ...(typeof values.tenant === "string" ? { tenantId: values.tenant } : {}),
    ...(typeof values.secret === "string" ? { secret: values.secret } : {}),
    ...(typeof values["key-directory"] === "string" ? { keyDirectory: values["key-directory"] } : {}),
    ...(legacy === "date" || legacy === "seconds" ? { legacyExpiresOn: legacy } : {})
  }
  return {
    options,
    ...(printEnv === undefined ? {} : { printEnv }),
    foreground: values.foreground === true,
    help: values.help === true
  }
}

/**
 * The process's streams and signals.
 *
 * @since 0.1.0
 * @category models
 * @example
 * ```ts
 * import { Cli } from "@managed-identity/emulator"
 *
 * Cli.main(["--print-env"], { ...Cli.processIo(), relaunch: [process.argv[1]!, "emulator"] })
 * ```
 */
export const processIo = (): CliIo => ({
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text)
})

const untilStopped = (signal: AbortSignal | undefined): Promise<void> =>
  new Promise((resolve) => {
    if (signal !== undefined) {
      if (signal.aborted) return resolve()
      signal.addEventListener("abort", () => resolve(), { once: true })
      return
    }
    const stop = () => {
      process.off("SIGINT", stop)
      process.off("SIGTERM", stop)
      resolve()
    }
    process.on("SIGINT", stop)
    process.on("SIGTERM", stop)
  })

/**
 * `--print-env` without `--foreground`: runs this same command in a detached child with
 * `--foreground`, relays its `export` lines and exits, leaving the emulator running.
 */
const daemonize = (argv: ReadonlyArray<string>, io: CliIo): Promise<number> =>
  new Promise((resolve) => {
    const relaunch = io.relaunch ?? (process.argv[1] === undefined ? [] : [process.argv[1]])
    if (relaunch.length === 0) {
      io.stderr("Cannot find this command's script to run it in the background; use --foreground\n")
      return resolve(1)
    }
    const child = spawn(process.execPath, [...relaunch, ...argv, "--foreground"], {
      detached: true,
      stdio: ["ignore", "pipe", "ignore"]
    })
    let output = ""
    let ready = false
    child.stdout.setEncoding("utf8")
    child.stdout.on("data", (chunk: string) => {
      output += chunk
      if (ready || !output.includes(readyLine)) return
      ready = true
      io.stdout(output)
      child.stdout.destroy()
      child.unref()
      resolve(0)
    })
    child.once("exit", (code) => {
      if (ready) return
      io.stderr(`The emulator exited before it was ready (exit code ${String(code)})\n`)
      resolve(1)
    })
  })

/**
 * Runs the command; resolves with the exit code once the emulator has stopped (or, with
 * `--print-env`, once it runs in the background).
 *
 * @since 0.1.0
 * @category running
 * @example
 * ```ts
 * import { Cli } from "@managed-identity/emulator"
 *
 * const stop = new AbortController()
 * const exitCode = Cli.main(["--print-env", "--foreground"], {
 *   stdout: (text) => process.stdout.write(text),
 *   stderr: (text) => process.stderr.write(text),
 *   signal: stop.signal
 * })
 * stop.abort()
 * console.log(await exitCode) // 0
 * ```
 */
export const main = async (argv: ReadonlyArray<string>, io: CliIo = processIo()): Promise<number> => {
  const parsed = parseArguments(argv)
  if (typeof parsed === "string") {
    io.stderr(`${parsed}\n\n${usage}`)
    return 2
  }
  if (parsed.help) {
    io.stdout(usage)
    return 0
  }
  if (parsed.printEnv !== undefined && !parsed.foreground) return daemonize(argv, io)

  let emulator: Awaited<ReturnType<typeof start>>
  try {
    // Refused admin requests (a web page trying to script the emulator) are worth seeing.
    emulator = await start({ ...parsed.options, log: (line) => io.stderr(`managed-identity-emulator: ${line}\n`) })
  } catch (error) {
    io.stderr(`${error instanceof Error ? error.message : String(error)}\n`)
    return 1
  }
  const stopped = untilStopped(io.signal)
  if (parsed.printEnv !== undefined) {
    io.stdout(
      formatEnv({
        ...emulator.envFor(parsed.printEnv),
        MANAGED_IDENTITY_EMULATOR_URL: emulator.url,
        MANAGED_IDENTITY_EMULATOR_PID: String(process.pid)
      }) + `${readyLine}\n`
    )
  } else {
    io.stderr(
      `managed-identity-emulator listening on ${emulator.url} (HTTPS: ${emulator.httpsUrl})\n` +
        `Identities: ${emulator.identities
          .list()
          .map((identity) => `${identity.kind} ${identity.clientId}`)
          .join(", ")}\n` +
        `Point a client at it with the variables of --print-env; admin API: ${emulator.url}/admin\n` +
        `(state-changing admin calls need Content-Type: application/json; web pages are refused)\n` +
        `Press Ctrl+C to stop.\n`
    )
  }
  await stopped
  await emulator.close()
  return 0
}
