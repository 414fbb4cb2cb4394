/**
 * The `managed-identity` command: `token` (a token through the whole stack, like the seed's curl
 * example), `doctor` (which source, which variables, can the endpoint be reached, what the last
 * failure means and what to do) and `emulator` (the local managed-identity server).
 *
 * @since 0.1.0
 */
import * as Args from "@effect/cli/Args"
import type * as CliApp from "@effect/cli/CliApp"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import type * as ValidationError from "@effect/cli/ValidationError"
import * as SourceCatalog from "@managed-identity/core/SourceCatalog"
import * as Diagnostics from "@managed-identity/core/Diagnostics"
import * as Identity from "@managed-identity/core/Identity"
import * as ManagedIdentity from "@managed-identity/core/ManagedIdentity"
import type { ManagedIdentityError } from "@managed-identity/core/ManagedIdentityError"
import * as EmulatorCli from "@managed-identity/emulator/Cli"
import * as NodeEnvironment from "@managed-identity/node/NodeEnvironment"
import * as NodeManagedIdentity from "@managed-identity/node/NodeManagedIdentity"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { existsSync } from "node:fs"
import { decodeClaims, shownClaims } from "./internal/jwt.js"
import {
  bold,
  cyan,
  dim,
  duration,
  err,
  green,
  indent,
  type Io,
  json,
  lines,
  out,
  processIo,
  red,
  type Shown,
  shown,
  table,
  yellow
} from "./internal/output.js"
import { describeRetry } from "./internal/progress.js"

/**
 * The version printed by `managed-identity --version`.
 *
 * @since 0.1.0
 * @category constants
 */
export const version = "0.1.0"

const DEFAULT_RESOURCE = "https://management.azure.com/"

const identityOptions = {
  clientId: Options.text("client-id").pipe(
    Options.withDescription("select a user-assigned identity by client id"),
    Options.optional
  ),
  objectId: Options.text("object-id").pipe(
    Options.withDescription("select a user-assigned identity by object (principal) id"),
    Options.optional
  ),
  resourceId: Options.text("resource-id").pipe(
    Options.withDescription("select a user-assigned identity by ARM resource id"),
    Options.optional
  ),
  loopbackOnly: Options.boolean("loopback-only").pipe(
    Options.withDescription("refuse any endpoint that is not on this machine (for the emulator and tests)")
  ),
  json: Options.boolean("json").pipe(Options.withDescription("print JSON for machines"))
}

type IdentityFlags = {
  readonly clientId: Option.Option<string>
  readonly objectId: Option.Option<string>
  readonly resourceId: Option.Option<string>
}

const identityOf = (flags: IdentityFlags): Identity.IdentityOptions => ({
  clientId: Option.getOrUndefined(flags.clientId),
  objectId: Option.getOrUndefined(flags.objectId),
  resourceId: Option.getOrUndefined(flags.resourceId)
})

// The message, summary and advice quote what the endpoint said: all of it is escaped.
const describeError = (io: Io, error: ManagedIdentityError): Shown => {
  const { summary, advice } = Diagnostics.explain(error)
  return lines([
    shown`${red(io, "error")} ${error.message}`,
    ...(summary !== error.message ? [shown`  ${summary}`] : []),
    ...advice.map((line) => shown`  ${dim(io, "→")} ${line}`)
  ])
}

const errorJson = (error: ManagedIdentityError) => ({
  error: error._tag,
  message: error.message,
  ...("source" in error ? { source: error.source, status: error.status, attempts: error.attempts } : {}),
  ...Diagnostics.explain(error)
})

const timeFromNow = (at: number, now: number) => {
  const ms = at - now
  return ms >= 0 ? `in ${duration(ms)}` : `${duration(-ms)} ago`
}

const tokenCommand = (io: Io) =>
  Command.make(
    "token",
    {
      resource: Options.text("resource").pipe(
        Options.withDescription("the resource (App ID URI) or scope to get a token for"),
        Options.withDefault(DEFAULT_RESOURCE)
      ),
      showToken: Options.boolean("show-token").pipe(Options.withDescription("print the access token itself")),
      ...identityOptions
    },
    (flags) =>
      Effect.gen(function* () {
        const started = Date.now()
        const layer = NodeManagedIdentity.layer({
          identity: identityOf(flags),
          environment: io.environment,
          ...(flags.loopbackOnly ? { endpointGuard: ManagedIdentity.allowLoopbackOnly } : {}),
          onRetry: (event) => Effect.sync(() => err(io, dim(io, `… ${describeRetry(event)}`)))
        })
        const result = yield* Effect.either(
          Effect.flatMap(ManagedIdentity.ManagedIdentity, (mi) =>
            Effect.map(mi.getToken(flags.resource), (token) => ({ mi, token }))
          ).pipe(Effect.provide(layer))
        )
        if (result._tag === "Left") {
          if (flags.json) json(io, errorJson(result.left))
          else err(io, describeError(io, result.left))
          io.setExitCode(1)
          return
        }
        const { mi, token } = result.right
        const now = Date.now()
        const claims = decodeClaims(token.token)
        if (flags.json) {
          json(io, {
            source: mi.source,
            endpoint: mi.endpoint,
            identity: Identity.describe(mi.identity),
            resource: token.resource,
            tokenType: token.tokenType,
            expiresOn: new Date(token.expiresOn).toISOString(),
            refreshOn: new Date(token.refreshOn).toISOString(),
            elapsedMs: now - started,
            claims: claims ?? null,
            ...(flags.showToken ? { accessToken: token.token } : {})
          })
          return
        }
        out(
          io,
          table([
            ["source", shown`${bold(io, mi.source)} ${dim(io, mi.endpoint)}`],
            ["identity", Identity.describe(mi.identity)],
            ["resource", token.resource],
            ["type", token.tokenType],
            ["expires", `${new Date(token.expiresOn).toISOString()} (${timeFromNow(token.expiresOn, now)})`],
            ["refresh", `${new Date(token.refreshOn).toISOString()} (${timeFromNow(token.refreshOn, now)})`],
            ["took", duration(now - started)]
          ])
        )
        if (claims !== undefined) {
          out(io, bold(io, "claims"))
          out(
            io,
            table(
              shownClaims
                .filter((name) => claims[name] !== undefined)
                .map((name) => {
                  const value = claims[name]
                  const shown =
                    (name === "iat" || name === "nbf" || name === "exp") && typeof value === "number"
                      ? `${value} (${new Date(value * 1000).toISOString()})`
                      : String(value)
                  return [name, shown] as const
                })
            )
          )
        } else {
          out(io, dim(io, "the token is not a JWT; no claims to show"))
        }
        out(io, flags.showToken ? shown`${token.token}` : dim(io, "token hidden; pass --show-token to print it"))
      })
  ).pipe(Command.withDescription("Get an access token through the whole stack and show its claims"))

const doctorCommand = (io: Io) =>
  Command.make(
    "doctor",
    {
      resource: Options.text("resource").pipe(
        Options.withDescription("the resource to probe with"),
        Options.withDefault(DEFAULT_RESOURCE)
      ),
      ...identityOptions
    },
    (flags) =>
      Effect.gen(function* () {
        const platform = NodeEnvironment.platform()
        // The first agent file that exists (Azure Arc's), looked for only where it can change the answer.
        const installed = SourceCatalog.agentsToLookFor(io.environment, platform)
          .filter((agent) => existsSync(agent.path))
          .slice(0, 1)
          .map((agent) => agent.source)
        const diagnosis = Diagnostics.diagnose(io.environment, { platform, installed })
        const started = Date.now()
        // One attempt, no cache, no breaker: the doctor wants the endpoint's own answer, fast.
        const probe = yield* Effect.either(
          ManagedIdentity.getToken(flags.resource).pipe(
            Effect.provide(
              NodeManagedIdentity.layer({
                identity: identityOf(flags),
                environment: io.environment,
                retry: false,
                cache: false,
                circuitBreaker: false,
                attemptTimeout: "5 seconds",
                ...(flags.loopbackOnly ? { endpointGuard: ManagedIdentity.allowLoopbackOnly } : {})
              })
            )
          )
        )
        const probeMs = Date.now() - started
        const healthy = probe._tag === "Right" && diagnosis.missing.length === 0 && diagnosis.conflicts.length === 0
        io.setExitCode(healthy ? 0 : 1)

        if (flags.json) {
          json(io, {
            healthy,
            ...diagnosis,
            probe:
              probe._tag === "Right"
                ? {
                    ok: true,
                    elapsedMs: probeMs,
                    expiresOn: new Date(probe.right.expiresOn).toISOString(),
                    resource: probe.right.resource
                  }
                : { ok: false, elapsedMs: probeMs, ...errorJson(probe.left) }
          })
          return
        }

        out(
          io,
          diagnosis.endpoint
            ? shown`${bold(io, "source")}    ${cyan(io, diagnosis.source)} ${dim(io, diagnosis.endpoint)}`
            : shown`${bold(io, "source")}    ${cyan(io, diagnosis.source)}`
        )
        out(io, shown`          ${diagnosis.explanation}`)
        out(io, bold(io, "variables"))
        const set = diagnosis.variables.filter((v) => v.set)
        out(
          io,
          set.length === 0
            ? shown`  none of the managed-identity variables is set`
            : table(set.map((v) => [v.name, v.value ?? ""]))
        )
        for (const name of diagnosis.missing) out(io, shown`${yellow(io, "missing")}   ${name}`)
        for (const line of diagnosis.conflicts) out(io, shown`${yellow(io, "conflict")}  ${line}`)
        for (const line of diagnosis.warnings) out(io, shown`${yellow(io, "warning")}   ${line}`)
        out(io, bold(io, "probe"))
        if (probe._tag === "Right") {
          out(
            io,
            shown`  ${green(io, "ok")} a token for ${probe.right.resource} in ${duration(probeMs)}, expires ${new Date(probe.right.expiresOn).toISOString()}`
          )
        } else {
          out(io, shown`  ${red(io, "failed")} after ${duration(probeMs)}`)
          out(io, indent("  ", describeError(io, probe.left)))
        }
        out(io, healthy ? green(io, "healthy") : red(io, "problems found"))
      })
  ).pipe(Command.withDescription("Explain which identity source is detected, check the endpoint, say what to do"))

const emulatorCommand = (io: Io) =>
  Command.make("emulator", { args: Args.text({ name: "options" }).pipe(Args.repeated) }, ({ args }) =>
    Effect.promise(() => EmulatorCli.main(args)).pipe(Effect.flatMap((code) => Effect.sync(() => io.setExitCode(code))))
  ).pipe(Command.withDescription("Run the local managed-identity emulator (see managed-identity-emulator --help)"))

/**
 * The command tree, writing to `io` (the process's streams by default).
 *
 * @since 0.1.0
 * @category commands
 * @example
 * ```ts
 * import { Cli } from "@managed-identity/cli"
 *
 * const command = Cli.make()
 * ```
 */
export const make = (io: Io = processIo()) =>
  Command.make("managed-identity").pipe(
    Command.withDescription("Get Azure Managed Identity tokens, diagnose a host, run the emulator"),
    Command.withSubcommands([tokenCommand(io), doctorCommand(io), emulatorCommand(io)])
  )

/**
 * Where the commands write, and the environment they read.
 *
 * @since 0.1.0
 * @category models
 */
export type { Io }

/**
 * Runs the command line (`argv` as `process.argv`: the first two entries are skipped).
 * `managed-identity emulator …` hands every option to the emulator's own parser.
 *
 * @since 0.1.0
 * @category running
 * @example
 * ```ts
 * import * as NodeContext from "@effect/platform-node/NodeContext"
 * import * as Effect from "effect/Effect"
 * import { Cli } from "@managed-identity/cli"
 *
 * Effect.runPromise(Cli.run(["node", "managed-identity", "doctor"]).pipe(Effect.provide(NodeContext.layer)))
 * ```
 */
export const run = (
  argv: ReadonlyArray<string>,
  io: Io = processIo()
): Effect.Effect<void, ValidationError.ValidationError, CliApp.CliApp.Environment> => {
  if (argv[2] === "emulator" && argv.length > 3) {
    // --print-env relaunches the emulator in the background: through this command's own script.
    const relaunch = argv[1] === undefined ? undefined : [argv[1], "emulator"]
    const emulatorIo = relaunch === undefined ? EmulatorCli.processIo() : { ...EmulatorCli.processIo(), relaunch }
    return Effect.promise(() => EmulatorCli.main(argv.slice(3), emulatorIo)).pipe(
      Effect.flatMap((code) => Effect.sync(() => io.setExitCode(code)))
    )
  }
  return Command.run(make(io), { name: "managed-identity", version })(argv)
}
