/**
 * What an identity source is. Every source module (`ImdsSource`, `AppServiceSource`, ...) exports
 * one `Descriptor` holding everything about that source: its name, the variables it reads and what
 * for, how it is selected, how it builds its endpoint, what it needs from the runtime (files,
 * certificate pinning), which identities it can select and how, its retry policy, how its error
 * answers are read, and what `doctor` says about it. `SourceCatalog` lists the descriptors in
 * detection order and detects; `Diagnostics`, `SourceRequirements`, `RetryPolicy`, classification
 * and the adapters read descriptors and keep no per-source table of their own.
 *
 * This module holds only types and the few pure helpers every descriptor uses.
 *
 * @since 0.1.0
 */
import type * as Either from "effect/Either"
import type { AccessToken } from "./AccessToken.js"
import type { Platform, Variables } from "./Environment.js"
import type { FileError, FileInfo } from "./FileReader.js"
import type { Answer, Request } from "./HttpRequest.js"
import type { Identity } from "./Identity.js"
import type { EndpointError, InvalidArgument, Unavailable, UnavailableReason } from "./ManagedIdentityError.js"
import type { Resource } from "./Resource.js"
import type { RetryPolicy } from "./RetryPolicy.js"
import type { SourceName } from "./SourceName.js"

/**
 * What to get a token for.
 *
 * @since 0.1.0
 * @category models
 */
export interface AcquireRequest {
  readonly identity: Identity
  readonly resource: Resource
  /** Claims from a CAE challenge (what the source does with them: its descriptor's `claims`). */
  readonly claims?: string | undefined
  /**
   * With `claims`: the lowercase hex SHA-256 of the cached token the challenge rejected, for a
   * source that can revoke it (`Descriptor.claims` is `revocation`).
   */
  readonly tokenToRefresh?: string | undefined
}

/**
 * What a source does with a claims challenge (CAE): `entra` passes the claims to Entra, which mints
 * a token with them (workload identity); `revocation` asks the endpoint to bypass its own cache by
 * naming the rejected token's SHA-256 (`token_sha256_to_refresh`, MSAL's protocol; Service Fabric);
 * `none`: the endpoint has no way to be told, and may answer with the same token from its own cache
 * until it refreshes it (IMDS, App Service, Azure ML, Cloud Shell, Azure Arc).
 *
 * @since 0.1.0
 * @category models
 */
export type ClaimsSupport = "entra" | "revocation" | "none"

/**
 * A file (or a directory of files) a source reads.
 *
 * @since 0.1.0
 * @category models
 */
export interface FileRequirement {
  readonly path: string
  readonly kind: "file" | "directory"
  /** What is read there, in a few words ("the federated token"). */
  readonly purpose: string
}

/**
 * What one exchange with an endpoint is about: enough for a driver to classify a transport failure
 * and for the source to read the answer.
 *
 * @since 0.1.0
 * @category models
 */
export interface Exchange {
  readonly source: SourceName
  /** The source's own reading of error answers. */
  readonly rules: ClassificationRules
  /** scheme://host/path, no query. */
  readonly endpoint: string
  /** The resource asked for (the token's, when the answer does not say). */
  readonly resource: string
  /** Secret values in the request, scrubbed from anything quoted. */
  readonly secrets: ReadonlyArray<string>
}

/**
 * Where a driver stands when it hands a result back to a step.
 *
 * @since 0.1.0
 * @category models
 */
export interface Moment {
  /** Now, in epoch milliseconds. */
  readonly now: number
  /** Milliseconds since the attempt started. */
  readonly elapsedMs: number
  /** Requests sent so far in this attempt (1 after the first). */
  readonly requests: number
}

/**
 * One step of a source's protocol, as data: send a request, read a file, or stop with a token or an
 * error. A source's protocol is a function from what it is asked to its first step, each step saying
 * what comes next; drivers do the IO (the Effect engine over `HttpTransport`, `FileReader` and
 * `CertificatePinning`; the Promise API's first request over a plain transport). No step runs
 * anything itself, so the protocol is pure and the same everywhere.
 *
 * @since 0.1.0
 * @category models
 */
export type Step =
  | {
      readonly _tag: "Send"
      readonly request: Request
      readonly exchange: Exchange
      /** Send over TLS pinned to this thumbprint (Service Fabric). */
      readonly pinnedThumbprint?: string | undefined
      /** What the answer means (a transport failure never reaches it: the driver classifies it). */
      readonly next: (answer: Answer, at: Moment) => Step
    }
  | {
      readonly _tag: "RealPath"
      readonly path: string
      readonly next: (result: Either.Either<string, FileError>, at: Moment) => Step
    }
  | {
      readonly _tag: "Stat"
      readonly path: string
      readonly next: (result: Either.Either<FileInfo, FileError>, at: Moment) => Step
    }
  | {
      readonly _tag: "ReadText"
      readonly path: string
      readonly maxBytes: number
      readonly next: (result: Either.Either<string, FileError>, at: Moment) => Step
    }
  | { readonly _tag: "Done"; readonly token: AccessToken }
  | { readonly _tag: "Failed"; readonly error: EndpointError }

/**
 * A source built from the environment: ready to make one attempt at a token (no retry, no cache:
 * those are layered on top), as protocol steps.
 *
 * @since 0.1.0
 * @category models
 */
export interface Source {
  readonly name: SourceName
  /** Everything known about this kind of source. */
  readonly descriptor: Descriptor
  /** scheme://host/path, no query: safe to print. */
  readonly endpoint: string
  /** The files this source reads (workload identity's token file, Azure Arc's key directory). */
  readonly files: ReadonlyArray<FileRequirement>
  /** The first step of one attempt. */
  readonly start: (request: AcquireRequest) => Step
}

/**
 * An environment variable.
 *
 * @since 0.1.0
 * @category models
 */
export interface Variable {
  readonly name: string
  /** Its value is a credential: never printed, never quoted. */
  readonly secret: boolean
}

/**
 * How a source uses one variable.
 *
 * @since 0.1.0
 * @category models
 */
export interface VariableUse {
  readonly variable: Variable
  /** What the source does with it, in a few words ("token endpoint", "secret header"). */
  readonly role: string
  /** The source is selected when every required variable is set. */
  readonly required: boolean
  /**
   * Set without the source's other required variables, this one still means someone meant the
   * source, so `doctor` warns about what is missing (`IMDS_ENDPOINT` does, `AZURE_CLIENT_ID` does
   * not: it also names a user-assigned identity).
   */
  readonly signals: boolean
  /** A sentence when a value cannot be used (`doctor` prints it), `undefined` when it is fine. */
  readonly check?: ((value: string) => string | undefined) | undefined
}

/**
 * How a source sends each kind of user-assigned identity: the query (or form) parameter name, or
 * nothing when it cannot select that kind.
 *
 * @since 0.1.0
 * @category models
 */
export interface IdentitySupport {
  readonly ClientId?: string | undefined
  readonly ObjectId?: string | undefined
  readonly ResourceId?: string | undefined
  /** Why a kind without a parameter cannot be selected. */
  readonly unsupported: string
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
  /**
   * Let App Service, Azure ML, Cloud Shell and Azure Arc use an endpoint that is not on this machine.
   * Those endpoints are always on loopback, so by default any other host is refused before the
   * secret header is sent. Default `false`.
   */
  readonly allowNonLocalEndpoint?: boolean | undefined
}

/**
 * What a descriptor is given besides the variables when it builds its source.
 *
 * @since 0.1.0
 * @category models
 */
export interface BuildContext {
  readonly platform: Platform
  /** The sources whose agent file was found (see `Descriptor.installedAt`). */
  readonly installed: ReadonlyArray<SourceName>
  readonly options?: SourceOptions | undefined
}

/**
 * A source's own reading of an error answer, before the generic rules: what only this endpoint
 * means by a status.
 *
 * @since 0.1.0
 * @category models
 */
export interface ClassificationRules {
  /** Words added to a transient status's message ("IMDS is updating and is back within 70 seconds"). */
  readonly statusHint?: ((status: number) => string | undefined) | undefined
  /**
   * An answer that means "no managed identity here" for this source (IMDS's 400 "identity not
   * found"), given the status and what the body said.
   */
  readonly unavailable?:
    | ((answer: {
        readonly status: number
        readonly error: string | undefined
        readonly description: string | undefined
      }) => { readonly reason: UnavailableReason; readonly message: string } | undefined)
    | undefined
}

/**
 * What `doctor` and `Diagnostics.explain` say about a source.
 *
 * @since 0.1.0
 * @category models
 */
export interface Advice {
  /** Why this source was selected, for a given environment. */
  readonly selected: (variables: Variables, context: { readonly installed: ReadonlyArray<SourceName> }) => string
  /** What to check when nothing answers at the endpoint. */
  readonly unreachable: string
  /** Why an answer can be slow here. */
  readonly slow: string
  /** How to select a user-assigned identity here. */
  readonly userAssigned: string
  /** Sentences about this environment beyond missing variables (deprecations, hosts half set up). */
  readonly warnings?: ((variables: Variables) => ReadonlyArray<string>) | undefined
}

/**
 * Everything about one identity source. Adding a source is one module exporting its descriptor
 * plus one line in `SourceCatalog.all` (and its name in `SourceName`).
 *
 * @since 0.1.0
 * @category models
 */
export interface Descriptor {
  readonly name: SourceName
  /** The source as people call it ("App Service / Azure Functions"). */
  readonly displayName: string
  /** Every variable it reads; the required ones select it, in `SourceCatalog` order. */
  readonly variables: ReadonlyArray<VariableUse>
  /** A file whose existence selects the source even without its variables (Azure Arc's agent). */
  readonly installedAt?: ((platform: Platform, options: SourceOptions | undefined) => string) | undefined
  /** How each kind of user-assigned identity is sent. */
  readonly identities: IdentitySupport
  /** Whether the endpoint's TLS certificate is pinned by thumbprint (Service Fabric). */
  readonly certificatePinning: boolean
  /** What a claims challenge can do here. */
  readonly claims: ClaimsSupport
  /** The default retry policy. */
  readonly retry: RetryPolicy
  /** What this source's error answers mean beyond the generic rules. */
  readonly classification: ClassificationRules
  /** What to tell people. */
  readonly advice: Advice
  /**
   * The source for these variables: `Unavailable` (`not-configured`) when a required variable is
   * missing, `InvalidArgument` naming the variable when a value is unusable.
   */
  readonly build: (variables: Variables, context: BuildContext) => Either.Either<Source, InvalidArgument | Unavailable>
}

/**
 * The required variables of a source.
 *
 * @since 0.1.0
 * @category accessors
 * @example
 * ```ts
 * import { AppServiceSource, Source } from "@managed-identity/core"
 *
 * Source.requiredVariables(AppServiceSource.descriptor).map((v) => v.name) // ["IDENTITY_ENDPOINT", "IDENTITY_HEADER"]
 * ```
 */
export const requiredVariables = (descriptor: Descriptor): ReadonlyArray<Variable> =>
  descriptor.variables.filter((use) => use.required).map((use) => use.variable)

/**
 * Whether the variables select a source (every required variable set; a source with none, IMDS,
 * is always selected). Variables are expected normalized (empty values removed).
 *
 * @since 0.1.0
 * @category accessors
 * @example
 * ```ts
 * import { CloudShellSource, Source } from "@managed-identity/core"
 *
 * Source.configuredBy(CloudShellSource.descriptor, { MSI_ENDPOINT: "http://127.0.0.1:50342/oauth2/token" }) // true
 * ```
 */
export const configuredBy = (descriptor: Descriptor, variables: Variables): boolean =>
  descriptor.variables.every((use) => !use.required || variables[use.variable.name] !== undefined)
