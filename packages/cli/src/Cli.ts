/**
 * The `managed-identity` command: `token`, `doctor` and `emulator` subcommands over the Node adapter.
 *
 * @since 0.1.0
 */
import * as Command from "@effect/cli/Command"
import type * as CliApp from "@effect/cli/CliApp"
import type * as ValidationError from "@effect/cli/ValidationError"
import type * as Effect from "effect/Effect"

/**
 * The version printed by `managed-identity --version`.
 *
 * @since 0.1.0
 * @category constants
 */
export const version = "0.1.0"

/**
 * The root command.
 *
 * @since 0.1.0
 * @category commands
 * @example
 * ```ts
 * import { Cli } from "@managed-identity/cli"
 *
 * console.log(Cli.root.descriptor)
 * ```
 */
export const root = Command.make("managed-identity").pipe(
  Command.withDescription("Get Azure Managed Identity tokens, diagnose a host, run the emulator")
)

/**
 * Runs the command line (`argv` as `process.argv`: the first two entries are skipped).
 *
 * @since 0.1.0
 * @category running
 * @example
 * ```ts
 * import * as NodeContext from "@effect/platform-node/NodeContext"
 * import * as Effect from "effect/Effect"
 * import { Cli } from "@managed-identity/cli"
 *
 * Effect.runPromise(Cli.run(["node", "managed-identity", "--version"]).pipe(Effect.provide(NodeContext.layer)))
 * ```
 */
export const run = (
  argv: ReadonlyArray<string>
): Effect.Effect<void, ValidationError.ValidationError, CliApp.CliApp.Environment> =>
  Command.run(root, { name: "managed-identity", version })(argv)
