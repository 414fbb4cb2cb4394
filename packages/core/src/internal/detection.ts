/**
 * Detecting and building the source inside Effect: the variables from the `Environment`, the agent
 * files through the `FileReader`, and what the runtime lacks from the `FileReader` and
 * `CertificatePinning` services' `unavailable`.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import { CertificatePinning } from "../CertificatePinning.js"
import { Environment } from "../Environment.js"
import { FileReader } from "../FileReader.js"
import type { InvalidArgument, Unavailable } from "../ManagedIdentityError.js"
import { type BuildContext, configuredBy, type Source, type SourceOptions } from "../Source.js"
import * as SourceCatalog from "../SourceCatalog.js"
import type { SourceName } from "../SourceName.js"
import { normalize } from "./variables.js"

/**
 * The sources whose agent file exists, asking the file system only when it can change the answer.
 *
 * @internal
 */
export const installedAgents = (
  variables: Readonly<Record<string, string | undefined>>,
  platform: BuildContext["platform"],
  options?: SourceOptions | undefined
): Effect.Effect<ReadonlyArray<SourceName>, never, FileReader> =>
  Effect.gen(function* () {
    const files = yield* FileReader
    for (const agent of SourceCatalog.agentsToLookFor(variables, platform, options)) {
      if (yield* files.exists(agent.path)) return [agent.source]
    }
    return []
  })

const lacks = Effect.map(Effect.all([FileReader, CertificatePinning]), ([files, pinning]) => ({
  fileSystem: files.unavailable,
  certificatePinning: pinning.unavailable
}))

/**
 * Detects the source from the `Environment` and builds it (see `SourceCatalog.build`).
 *
 * @internal
 */
export const detect = (
  options?: SourceOptions
): Effect.Effect<Source, InvalidArgument | Unavailable, Environment | FileReader | CertificatePinning> =>
  Effect.gen(function* () {
    const env = yield* Environment
    const variables = normalize(env.variables)
    const installed = yield* installedAgents(variables, env.platform, options)
    const descriptor = SourceCatalog.select(variables, installed)
    return yield* SourceCatalog.build(
      descriptor,
      variables,
      { platform: env.platform, installed, options },
      yield* lacks
    )
  })

/**
 * Builds a named source from the `Environment`.
 *
 * @internal
 */
export const make = (
  name: SourceName,
  options?: SourceOptions
): Effect.Effect<Source, InvalidArgument | Unavailable, Environment | FileReader | CertificatePinning> =>
  Effect.gen(function* () {
    const env = yield* Environment
    const variables = normalize(env.variables)
    const descriptor = SourceCatalog.get(name)
    const installed: Array<SourceName> = []
    if (descriptor.installedAt !== undefined && !configuredBy(descriptor, variables)) {
      const files = yield* FileReader
      if (yield* files.exists(descriptor.installedAt(env.platform, options))) installed.push(name)
    }
    return yield* SourceCatalog.build(
      descriptor,
      variables,
      { platform: env.platform, installed, options },
      yield* lacks
    )
  })
