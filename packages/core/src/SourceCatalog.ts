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
import * as Either from "effect/Either"
import * as AppServiceSource from "./AppServiceSource.js"
import * as AzureArcSource from "./AzureArcSource.js"
import * as AzureMlSource from "./AzureMlSource.js"
import * as CloudShellSource from "./CloudShellSource.js"
import type { Variables } from "./Environment.js"
import * as ImdsSource from "./ImdsSource.js"
import { type InvalidArgument, Unavailable } from "./ManagedIdentityError.js"
import * as ServiceFabricSource from "./ServiceFabricSource.js"
import { type BuildContext, type Descriptor, type Source, type SourceOptions, configuredBy } from "./Source.js"
import type { SourceName } from "./SourceName.js"
import * as WorkloadIdentitySource from "./WorkloadIdentitySource.js"
import { normalize } from "./internal/variables.js"

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
 * The descriptor the variables select (see `detectName`).
 *
 * @since 0.1.0
 * @category detection
 * @example
 * ```ts
 * import { SourceCatalog } from "@managed-identity/core"
 *
 * SourceCatalog.select({ MSI_ENDPOINT: "http://127.0.0.1:50342/oauth2/token" }).name // "CloudShell"
 * ```
 */
export const select = (variables: Variables, installed: ReadonlyArray<SourceName> = []): Descriptor =>
  detectDescriptor(normalize(variables), installed)

/**
 * The agent files worth looking for: those of sources before which nothing in detection order is
 * configured by the variables (only then can an installed agent change the answer).
 *
 * @since 0.1.0
 * @category detection
 * @example
 * ```ts
 * import { SourceCatalog } from "@managed-identity/core"
 *
 * SourceCatalog.agentsToLookFor({}, "posix") // [{ source: "AzureArc", path: "/opt/azcmagent/bin/himds" }]
 * ```
 */
export const agentsToLookFor = (
  variables: Variables,
  platform: BuildContext["platform"],
  options?: SourceOptions | undefined
): ReadonlyArray<{ readonly source: SourceName; readonly path: string }> => {
  const v = normalize(variables)
  const out: Array<{ readonly source: SourceName; readonly path: string }> = []
  for (const descriptor of all) {
    if (configuredBy(descriptor, v)) break
    if (descriptor.installedAt !== undefined) {
      out.push({ source: descriptor.name, path: descriptor.installedAt(platform, options) })
    }
  }
  return out
}

/**
 * What a runtime lacks, in words: `fileSystem` why files cannot be read, `certificatePinning` why
 * certificates cannot be pinned (`undefined` when it can).
 *
 * @since 0.1.0
 * @category models
 */
export interface Lacks {
  readonly fileSystem?: string | undefined
  readonly certificatePinning?: string | undefined
}

/**
 * Builds a source, and refuses it, before any request, with an `Unavailable`
 * (`unsupported-runtime`) saying why when the runtime lacks what it needs.
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import { SourceCatalog } from "@managed-identity/core"
 *
 * const arc = SourceCatalog.get("AzureArc")
 * SourceCatalog.build(arc, {}, { platform: "posix", installed: ["AzureArc"] }, { fileSystem: "edge runtimes have no file system" })
 * // Left(Unavailable: AzureArc: cannot be used here: it reads the agent's key files in /var/opt/azcmagent/tokens, ...)
 * ```
 */
export const build = (
  descriptor: Descriptor,
  variables: Variables,
  context: BuildContext,
  lacks: Lacks = {}
): Either.Either<Source, InvalidArgument | Unavailable> =>
  Either.flatMap(descriptor.build(normalize(variables), context), (source) => {
    const file = source.files[0]
    if (file !== undefined && lacks.fileSystem !== undefined) {
      const where = file.kind === "directory" ? `in ${file.path}` : `from ${file.path}`
      return Either.left(refusal(source, `it reads ${file.purpose} ${where}, but ${lacks.fileSystem}`))
    }
    if (descriptor.certificatePinning && lacks.certificatePinning !== undefined) {
      return Either.left(
        refusal(
          source,
          `its endpoint's self-signed certificate must be pinned by thumbprint, but ${lacks.certificatePinning}`
        )
      )
    }
    return Either.right(source)
  })

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
