/**
 * Identity sources: where tokens come from on this host. A `Source` makes one attempt at a token
 * (no retry, no cache: those are layered on top). `detect` picks the source the way
 * `@azure/identity` does, in this order: Service Fabric, App Service, Azure ML, Cloud Shell,
 * Azure Arc, workload identity, and IMDS as the default.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import type { AccessToken } from "./AccessToken.js"
import * as AppServiceSource from "./AppServiceSource.js"
import * as AzureArcSource from "./AzureArcSource.js"
import * as AzureMlSource from "./AzureMlSource.js"
import type { CertificatePinning } from "./CertificatePinning.js"
import * as CloudShellSource from "./CloudShellSource.js"
import { Environment, type Platform, type Variables, normalize } from "./Environment.js"
import { FileReader } from "./FileReader.js"
import type { HttpTransport } from "./HttpTransport.js"
import type { Identity } from "./Identity.js"
import * as ImdsSource from "./ImdsSource.js"
import { type EndpointError, type InvalidArgument, Unavailable } from "./ManagedIdentityError.js"
import type { Resource } from "./Resource.js"
import * as ServiceFabricSource from "./ServiceFabricSource.js"
import type { SourceName } from "./SourceName.js"
import * as WorkloadIdentitySource from "./WorkloadIdentitySource.js"

/**
 * What to get a token for.
 *
 * @since 0.1.0
 * @category models
 */
export interface AcquireRequest {
  readonly identity: Identity
  readonly resource: Resource
  /** Claims from a CAE challenge; only the Entra token endpoint (workload identity) takes them. */
  readonly claims?: string | undefined
}

/**
 * An identity source.
 *
 * @since 0.1.0
 * @category models
 */
export interface Source {
  readonly name: SourceName
  /** scheme://host/path, no query: safe to print. */
  readonly endpoint: string
  /** One attempt, no retry: build the request, send it, parse or classify. */
  readonly acquire: (
    request: AcquireRequest
  ) => Effect.Effect<AccessToken, EndpointError, HttpTransport | FileReader | CertificatePinning>
}

/**
 * Code-level options: never read from the environment.
 *
 * @since 0.1.0
 * @category models
 */
export interface SourceOptions {
  /**
   * The only directory Azure Arc key files may be read from. Default per platform:
   * `/var/opt/azcmagent/tokens` or `C:\ProgramData\AzureConnectedMachineAgent\Tokens`.
   */
  readonly arcKeyDirectory?: string | undefined
  /** A file whose existence means the Arc agent is installed (default: the agent's `himds`). */
  readonly arcAgentPath?: string | undefined
}

/**
 * Which source the variables select, in detection order. Pure: whether the Arc agent is
 * installed is passed in.
 *
 * @since 0.1.0
 * @category detection
 * @example
 * ```ts
 * import { Source } from "@managed-identity/core"
 *
 * Source.detectName({ IDENTITY_ENDPOINT: "http://127.0.0.1:1/token", IDENTITY_HEADER: "x" }, { arcAgentInstalled: false })
 * // "AppService"
 * Source.detectName({}, { arcAgentInstalled: false }) // "IMDS"
 * ```
 */
export const detectName = (variables: Variables, options: { readonly arcAgentInstalled: boolean }): SourceName => {
  const v = normalize(variables)
  if (v.IDENTITY_ENDPOINT && v.IDENTITY_HEADER && v.IDENTITY_SERVER_THUMBPRINT) return "ServiceFabric"
  if (v.IDENTITY_ENDPOINT && v.IDENTITY_HEADER) return "AppService"
  if (v.MSI_ENDPOINT && v.MSI_SECRET) return "AzureML"
  if (v.MSI_ENDPOINT) return "CloudShell"
  if ((v.IDENTITY_ENDPOINT && v.IMDS_ENDPOINT) || options.arcAgentInstalled) return "AzureArc"
  if (v.AZURE_FEDERATED_TOKEN_FILE && v.AZURE_CLIENT_ID && v.AZURE_TENANT_ID) return "WorkloadIdentity"
  return "IMDS"
}

// Whether detection gets as far as Azure Arc's file check (nothing before it is configured and
// its variables are not both set): only then is the file system asked.
const needsAgentCheck = (variables: Variables): boolean => {
  const name = detectName(variables, { arcAgentInstalled: false })
  return name === "WorkloadIdentity" || name === "IMDS"
}

const agentInstalled = (
  catalog: Catalog,
  variables: Variables,
  platform: Platform,
  options: SourceOptions | undefined
): Effect.Effect<boolean, never, FileReader> =>
  catalog.AzureArc !== undefined && needsAgentCheck(variables)
    ? Effect.flatMap(FileReader, (files) =>
        files.exists(options?.arcAgentPath ?? AzureArcSource.DEFAULT_AGENT_PATH[platform])
      )
    : Effect.succeed(false)

/**
 * What a builder is given besides the variables.
 *
 * @since 0.1.0
 * @category models
 */
export interface BuildContext {
  readonly platform: Platform
  readonly arcAgentInstalled: boolean
  readonly options?: SourceOptions | undefined
}

/**
 * Builds one source from the variables, or says why it cannot be used.
 *
 * @since 0.1.0
 * @category models
 */
export type Builder = (
  variables: Variables,
  context: BuildContext
) => Either.Either<Source, InvalidArgument | Unavailable>

/**
 * The sources an adapter can use, by name. An adapter for a runtime that cannot use some sources
 * (the edge has no file system) passes a smaller catalog to `ManagedIdentity.makeWith`, so a
 * bundler leaves the other sources' code out; a detected source missing from the catalog is an
 * `Unavailable` (`unsupported-runtime`), or whatever its entry answers.
 *
 * @since 0.1.0
 * @category models
 */
export type Catalog = { readonly [Name in SourceName]?: Builder | undefined }

/**
 * Every source.
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import { Source } from "@managed-identity/core"
 *
 * console.log(Object.keys(Source.catalog)) // ["ServiceFabric", "AppService", ...]
 * ```
 */
export const catalog: Catalog = {
  ServiceFabric: (variables) => Either.map(ServiceFabricSource.fromVariables(variables), ServiceFabricSource.make),
  AppService: (variables) => Either.map(AppServiceSource.fromVariables(variables), AppServiceSource.make),
  AzureML: (variables) => Either.map(AzureMlSource.fromVariables(variables), AzureMlSource.make),
  CloudShell: (variables) => Either.map(CloudShellSource.fromVariables(variables), CloudShellSource.make),
  AzureArc: (variables, context) =>
    Either.map(
      AzureArcSource.fromVariables(variables, {
        platform: context.platform,
        agentInstalled: context.arcAgentInstalled,
        keyDirectory: context.options?.arcKeyDirectory
      }),
      AzureArcSource.make
    ),
  WorkloadIdentity: (variables) =>
    Either.map(WorkloadIdentitySource.fromVariables(variables), WorkloadIdentitySource.make),
  IMDS: (variables) => Either.map(ImdsSource.fromVariables(variables), ImdsSource.make)
}

const build = (
  catalog: Catalog,
  name: SourceName,
  variables: Variables,
  context: BuildContext
): Either.Either<Source, InvalidArgument | Unavailable> => {
  const builder = catalog[name]
  return builder === undefined
    ? Either.left(
        new Unavailable({
          source: name,
          reason: "unsupported-runtime",
          message: `${name}: the environment selects this source, but this runtime's adapter cannot use it`,
          attempts: 0,
          elapsedMs: 0
        })
      )
    : builder(variables, context)
}

/**
 * `detect` over a catalog of sources.
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import * as Effect from "effect/Effect"
 * import { Environment, FileReader, Source } from "@managed-identity/core"
 *
 * const imdsOnly: Source.Catalog = { IMDS: Source.catalog.IMDS }
 * const program = Source.detectFrom(imdsOnly).pipe(
 *   Effect.provide(Environment.layer({ MSI_ENDPOINT: "http://127.0.0.1:50342/oauth2/token" })),
 *   Effect.provide(FileReader.layer(FileReader.memory({ files: {} })))
 * )
 * Effect.runPromiseExit(program).then((exit) => console.log(exit._tag)) // Failure: CloudShell is not in it
 * ```
 */
export const detectFrom = (
  catalog: Catalog,
  options?: SourceOptions
): Effect.Effect<Source, InvalidArgument | Unavailable, Environment | FileReader> =>
  Effect.gen(function* () {
    const env = yield* Environment
    const variables = normalize(env.variables)
    const installed = yield* agentInstalled(catalog, variables, env.platform, options)
    const name = detectName(variables, { arcAgentInstalled: installed })
    const context: BuildContext = { platform: env.platform, arcAgentInstalled: installed, options }
    const built = build(catalog, name, variables, context)
    if (Either.isRight(built)) return built.right
    if (built.left._tag === "InvalidArgument" || built.left.reason === "unsupported-runtime") {
      return yield* Effect.fail(built.left)
    }
    // Detection only names a source whose variables are all set, so it cannot be unconfigured;
    // were it ever, IMDS (which needs no variable) is the documented default.
    return yield* build(catalog, "IMDS", variables, context)
  })

/**
 * Detects the source from the environment and builds it. Variables that select a source but
 * hold an invalid endpoint are an `InvalidArgument` naming the variable.
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import * as Effect from "effect/Effect"
 * import { Environment, FileReader, Source } from "@managed-identity/core"
 *
 * const program = Source.detect().pipe(
 *   Effect.provide(Environment.layer({ MSI_ENDPOINT: "http://127.0.0.1:50342/oauth2/token" })),
 *   Effect.provide(FileReader.layer(FileReader.memory({ files: {} })))
 * )
 * Effect.runPromise(program).then((source) => console.log(source.name)) // CloudShell
 * ```
 */
export const detect = (
  options?: SourceOptions
): Effect.Effect<Source, InvalidArgument | Unavailable, Environment | FileReader> => detectFrom(catalog, options)

/**
 * `make` over a catalog of sources.
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import * as Effect from "effect/Effect"
 * import { Environment, FileReader, Source } from "@managed-identity/core"
 *
 * const program = Source.makeFrom({ IMDS: Source.catalog.IMDS }, "IMDS").pipe(
 *   Effect.provide(Environment.layer({})),
 *   Effect.provide(FileReader.layer(FileReader.memory({ files: {} })))
 * )
 * ```
 */
export const makeFrom = (
  catalog: Catalog,
  name: SourceName,
  options?: SourceOptions
): Effect.Effect<Source, InvalidArgument | Unavailable, Environment | FileReader> =>
  Effect.gen(function* () {
    const env = yield* Environment
    const variables = normalize(env.variables)
    const installed =
      name === "AzureArc" && catalog.AzureArc !== undefined && !(variables.IDENTITY_ENDPOINT && variables.IMDS_ENDPOINT)
        ? yield* Effect.flatMap(FileReader, (files) =>
            files.exists(options?.arcAgentPath ?? AzureArcSource.DEFAULT_AGENT_PATH[env.platform])
          )
        : false
    return yield* build(catalog, name, variables, { platform: env.platform, arcAgentInstalled: installed, options })
  })

/**
 * Builds a named source from the environment: `Unavailable` (`not-configured`) when its
 * variables are not set, `InvalidArgument` when one is invalid.
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import * as Effect from "effect/Effect"
 * import { Environment, FileReader, Source } from "@managed-identity/core"
 *
 * const program = Source.make("IMDS").pipe(
 *   Effect.provide(Environment.layer({})),
 *   Effect.provide(FileReader.layer(FileReader.memory({ files: {} })))
 * )
 * ```
 */
export const make = (
  name: SourceName,
  options?: SourceOptions
): Effect.Effect<Source, InvalidArgument | Unavailable, Environment | FileReader> => makeFrom(catalog, name, options)
