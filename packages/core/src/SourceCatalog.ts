/**
 * The catalog of identity sources and their detection. `all` lists every source's descriptor in
 * detection order — the order `@azure/identity` and MSAL use: Service Fabric, App Service, Azure
 * ML, Cloud Shell, Azure Arc, workload identity, and IMDS as the default. The first source whose
 * required variables are all set (or, for Azure Arc, whose agent is installed) is the one used.
 *
 * Adding a source is one module exporting its `Descriptor` and one line in `all`.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as AppServiceSource from "./AppServiceSource.js"
import * as AzureArcSource from "./AzureArcSource.js"
import * as AzureMlSource from "./AzureMlSource.js"
import { CertificatePinning } from "./CertificatePinning.js"
import * as CloudShellSource from "./CloudShellSource.js"
import { Environment, type Variables, normalize } from "./Environment.js"
import { FileReader } from "./FileReader.js"
import * as ImdsSource from "./ImdsSource.js"
import { type InvalidArgument, Unavailable } from "./ManagedIdentityError.js"
import * as ServiceFabricSource from "./ServiceFabricSource.js"
import { type BuildContext, type Descriptor, type Source, type SourceOptions, configuredBy } from "./Source.js"
import type { SourceName } from "./SourceName.js"
import * as WorkloadIdentitySource from "./WorkloadIdentitySource.js"

/**
 * Every source, in detection order (IMDS, the default, last).
 *
 * @since 0.1.0
 * @category constants
 * @example
 * ```ts
 * import { SourceCatalog } from "@managed-identity/core"
 *
 * SourceCatalog.all.map((d) => d.name) // ["ServiceFabric", "AppService", "AzureML", "CloudShell", "AzureArc", "WorkloadIdentity", "IMDS"]
 * ```
 */
export const all: ReadonlyArray<Descriptor> = [
  ServiceFabricSource.descriptor,
  AppServiceSource.descriptor,
  AzureMlSource.descriptor,
  CloudShellSource.descriptor,
  AzureArcSource.descriptor,
  WorkloadIdentitySource.descriptor,
  ImdsSource.descriptor
]

/**
 * The descriptor of a source.
 *
 * @since 0.1.0
 * @category accessors
 * @example
 * ```ts
 * import { SourceCatalog } from "@managed-identity/core"
 *
 * SourceCatalog.get("IMDS").displayName // "the Azure Instance Metadata Service (IMDS)"
 * ```
 */
export const get = (name: SourceName): Descriptor => all.find((descriptor) => descriptor.name === name)!

/**
 * Which source the variables select, in detection order. Pure: which agents are installed is
 * passed in (`installed`, see `Descriptor.installedAt`).
 *
 * @since 0.1.0
 * @category detection
 * @example
 * ```ts
 * import { SourceCatalog } from "@managed-identity/core"
 *
 * SourceCatalog.detectName({ IDENTITY_ENDPOINT: "http://127.0.0.1:1/token", IDENTITY_HEADER: "x" }) // "AppService"
 * SourceCatalog.detectName({}) // "IMDS"
 * SourceCatalog.detectName({}, { installed: ["AzureArc"] }) // "AzureArc"
 * ```
 */
export const detectName = (
  variables: Variables,
  options: { readonly installed?: ReadonlyArray<SourceName> | undefined } = {}
): SourceName => detectDescriptor(normalize(variables), options.installed ?? []).name

const detectDescriptor = (variables: Variables, installed: ReadonlyArray<SourceName>): Descriptor =>
  all.find((descriptor) => configuredBy(descriptor, variables) || installed.includes(descriptor.name)) ??
  ImdsSource.descriptor

/**
 * The sources whose agent is installed, asking the file system only when it can change the
 * answer: no source before the agent's in detection order is configured by the variables.
 *
 * @since 0.1.0
 * @category detection
 * @example
 * ```ts
 * import * as Effect from "effect/Effect"
 * import { FileReader, SourceCatalog } from "@managed-identity/core"
 *
 * const installed = SourceCatalog.installedAgents({}, "posix").pipe(
 *   Effect.provide(FileReader.layer(FileReader.memory({ files: { "/opt/azcmagent/bin/himds": "" } })))
 * )
 * Effect.runPromise(installed) // ["AzureArc"]
 * ```
 */
export const installedAgents = (
  variables: Variables,
  platform: BuildContext["platform"],
  options?: SourceOptions | undefined
): Effect.Effect<ReadonlyArray<SourceName>, never, FileReader> =>
  Effect.gen(function* () {
    const v = normalize(variables)
    const found: Array<SourceName> = []
    for (const descriptor of all) {
      if (configuredBy(descriptor, v)) break
      if (descriptor.installedAt === undefined) continue
      const files = yield* FileReader
      if (yield* files.exists(descriptor.installedAt(platform, options))) {
        found.push(descriptor.name)
        break
      }
    }
    return found
  })

/**
 * Builds a source, then refuses it, before any request, when the runtime's adapter lacks what it
 * needs: a file system (the `FileReader` says it is unavailable) or certificate pinning.
 */
const buildHere = (
  descriptor: Descriptor,
  variables: Variables,
  context: BuildContext
): Effect.Effect<Source, InvalidArgument | Unavailable, FileReader | CertificatePinning> =>
  Effect.flatMap(descriptor.build(variables, context), (source) =>
    Effect.flatMap(Effect.all([FileReader, CertificatePinning]), ([files, pinning]) => {
      const file = source.files[0]
      if (file !== undefined && files.unavailable !== undefined) {
        const where = file.kind === "directory" ? `in ${file.path}` : `from ${file.path}`
        return Effect.fail(refusal(source, `it reads ${file.purpose} ${where}, but ${files.unavailable}`))
      }
      if (descriptor.certificatePinning && pinning.unavailable !== undefined) {
        return Effect.fail(
          refusal(
            source,
            `its endpoint's self-signed certificate must be pinned by thumbprint, but ${pinning.unavailable}`
          )
        )
      }
      return Effect.succeed(source)
    })
  )

const refusal = (source: Source, why: string): Unavailable =>
  new Unavailable({
    source: source.name,
    reason: "unsupported-runtime",
    message: `${source.name}: cannot be used here: ${why}`,
    attempts: 0,
    elapsedMs: 0,
    endpoint: source.endpoint
  })

/**
 * Detects the source from the `Environment` and builds it. Variables that select a source but
 * hold an unusable value are an `InvalidArgument` naming the variable; a source this runtime
 * cannot use (no file system, no certificate pinning) is an `Unavailable` (`unsupported-runtime`)
 * saying why, before any request.
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import * as Effect from "effect/Effect"
 * import { CertificatePinning, Environment, FileReader, SourceCatalog } from "@managed-identity/core"
 *
 * const program = SourceCatalog.detect().pipe(
 *   Effect.provide(Environment.layer({ MSI_ENDPOINT: "http://127.0.0.1:50342/oauth2/token" })),
 *   Effect.provide(FileReader.layer(FileReader.memory({ files: {} }))),
 *   Effect.provide(CertificatePinning.unsupported("not needed here"))
 * )
 * Effect.runPromise(program).then((source) => console.log(source.name)) // CloudShell
 * ```
 */
export const detect = (
  options?: SourceOptions
): Effect.Effect<Source, InvalidArgument | Unavailable, Environment | FileReader | CertificatePinning> =>
  Effect.gen(function* () {
    const env = yield* Environment
    const variables = normalize(env.variables)
    const installed = yield* installedAgents(variables, env.platform, options)
    const descriptor = detectDescriptor(variables, installed)
    return yield* buildHere(descriptor, variables, { platform: env.platform, installed, options })
  })

/**
 * Builds a named source from the `Environment`: `Unavailable` (`not-configured`) when its
 * required variables are not set, `InvalidArgument` when one is unusable, `Unavailable`
 * (`unsupported-runtime`) when this runtime cannot use it.
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import * as Effect from "effect/Effect"
 * import { CertificatePinning, Environment, FileReader, SourceCatalog } from "@managed-identity/core"
 *
 * const program = SourceCatalog.make("IMDS").pipe(
 *   Effect.provide(Environment.layer({})),
 *   Effect.provide(FileReader.layer(FileReader.memory({ files: {} }))),
 *   Effect.provide(CertificatePinning.unsupported("not needed here"))
 * )
 * ```
 */
export const make = (
  name: SourceName,
  options?: SourceOptions
): Effect.Effect<Source, InvalidArgument | Unavailable, Environment | FileReader | CertificatePinning> =>
  Effect.gen(function* () {
    const env = yield* Environment
    const variables = normalize(env.variables)
    const descriptor = get(name)
    const installed: Array<SourceName> = []
    if (descriptor.installedAt !== undefined && !configuredBy(descriptor, variables)) {
      const files = yield* FileReader
      if (yield* files.exists(descriptor.installedAt(env.platform, options))) installed.push(name)
    }
    return yield* buildHere(descriptor, variables, { platform: env.platform, installed, options })
  })

/**
 * Every environment variable any source reads, for runtimes that grant access variable by
 * variable (Deno's `--allow-env=NAME,...`).
 *
 * @since 0.1.0
 * @category constants
 * @example
 * ```ts
 * import { SourceCatalog } from "@managed-identity/core"
 *
 * console.log(`deno run --allow-env=${SourceCatalog.variableNames.join(",")} main.ts`)
 * ```
 */
export const variableNames: ReadonlyArray<string> = [
  ...new Set(all.flatMap((descriptor) => descriptor.variables.map((use) => use.variable.name)))
]
