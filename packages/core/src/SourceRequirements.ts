/**
 * What a source needs from its runtime beyond `fetch`: the origin it connects to, the files it
 * reads and whether it pins a TLS certificate. Adapters use it before the first request: Deno to
 * check its permissions and name the missing flag, edge runtimes (no file system) to refuse a
 * source that reads a file with a clear `Unavailable` instead of failing halfway through its
 * protocol (Azure Arc would otherwise send its challenge request and then fail to read the key).
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import { DEFAULT_KEY_DIRECTORY } from "./AzureArcSource.js"
import { Environment, type Platform, type Variables, normalize } from "./Environment.js"
import { Unavailable } from "./ManagedIdentityError.js"
import type { SourceOptions } from "./Source.js"
import type { SourceName } from "./SourceName.js"

/**
 * Every environment variable the core reads, for runtimes that grant access variable by variable
 * (Deno's `--allow-env=NAME,...`).
 *
 * @since 0.1.0
 * @category constants
 * @example
 * ```ts
 * import { SourceRequirements } from "@managed-identity/core"
 *
 * console.log(`deno run --allow-env=${SourceRequirements.variableNames.join(",")} main.ts`)
 * ```
 */
export const variableNames: ReadonlyArray<string> = [
  "IDENTITY_ENDPOINT",
  "IDENTITY_HEADER",
  "IDENTITY_SERVER_THUMBPRINT",
  "IMDS_ENDPOINT",
  "MSI_ENDPOINT",
  "MSI_SECRET",
  "AZURE_FEDERATED_TOKEN_FILE",
  "AZURE_CLIENT_ID",
  "AZURE_TENANT_ID",
  "AZURE_AUTHORITY_HOST",
  "AZURE_POD_IDENTITY_AUTHORITY_HOST",
  "DEFAULT_IDENTITY_CLIENT_ID"
]

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
 * What one source needs from the runtime.
 *
 * @since 0.1.0
 * @category models
 */
export interface SourceRequirements {
  readonly source: SourceName
  /** The token endpoint (scheme, host and path): the one origin the source connects to. */
  readonly endpoint: string
  /** Files read on every token request (workload identity) or on a challenge (Azure Arc). */
  readonly files: ReadonlyArray<FileRequirement>
  /** Whether the endpoint's TLS certificate is pinned by thumbprint (Service Fabric). */
  readonly certificatePinning: boolean
}

/**
 * The requirements of a source, from its name and endpoint (as `ManagedIdentity.Service` exposes
 * them), the environment and the code-level source options.
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import { SourceRequirements } from "@managed-identity/core"
 *
 * const requirements = SourceRequirements.of({
 *   source: "WorkloadIdentity",
 *   endpoint: "https://login.microsoftonline.com/tenant/oauth2/v2.0/token",
 *   variables: { AZURE_FEDERATED_TOKEN_FILE: "/var/run/secrets/azure/tokens/azure-identity-token" },
 *   platform: "posix"
 * })
 * console.log(requirements.files[0]?.path) // /var/run/secrets/azure/tokens/azure-identity-token
 * ```
 */
export const of = (input: {
  readonly source: SourceName
  readonly endpoint: string
  readonly variables: Variables
  readonly platform: Platform
  readonly sourceOptions?: SourceOptions | undefined
}): SourceRequirements => {
  const variables = normalize(input.variables)
  const files: Array<FileRequirement> = []
  if (input.source === "WorkloadIdentity" && variables.AZURE_FEDERATED_TOKEN_FILE !== undefined) {
    files.push({ path: variables.AZURE_FEDERATED_TOKEN_FILE, kind: "file", purpose: "the federated token" })
  }
  if (input.source === "AzureArc") {
    files.push({
      path: input.sourceOptions?.arcKeyDirectory ?? DEFAULT_KEY_DIRECTORY[input.platform],
      kind: "directory",
      purpose: "the agent's key files"
    })
  }
  return {
    source: input.source,
    endpoint: input.endpoint,
    files,
    certificatePinning: input.source === "ServiceFabric"
  }
}

/**
 * The requirements of a built service, reading the variables from the `Environment` in context.
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import * as Effect from "effect/Effect"
 * import { Environment, SourceRequirements } from "@managed-identity/core"
 *
 * const requirements = SourceRequirements.fromService({ source: "IMDS", endpoint: "http://127.0.0.1:8080/token" }).pipe(
 *   Effect.provide(Environment.layer({}))
 * )
 * ```
 */
export const fromService = (
  service: { readonly source: SourceName; readonly endpoint: string },
  sourceOptions?: SourceOptions | undefined
): Effect.Effect<SourceRequirements, never, Environment> =>
  Effect.map(Environment, (env) =>
    of({
      source: service.source,
      endpoint: service.endpoint,
      variables: env.variables,
      platform: env.platform,
      sourceOptions
    })
  )

/**
 * For a runtime without a file system: the `Unavailable` (`unsupported-runtime`) a source that reads
 * a file must fail with, saying which file and why it cannot be read; `undefined` when the source
 * reads none. No request is sent, so a credential chain moves on at once.
 *
 * @since 0.1.0
 * @category checks
 * @example
 * ```ts
 * import { SourceRequirements } from "@managed-identity/core"
 *
 * const refusal = SourceRequirements.withoutFileSystem(
 *   SourceRequirements.of({ source: "AzureArc", endpoint: "http://127.0.0.1:40342/metadata/identity/oauth2/token", variables: {}, platform: "posix" }),
 *   "edge runtimes have no file system"
 * )
 * console.log(refusal?.message)
 * ```
 */
export const withoutFileSystem = (requirements: SourceRequirements, why: string): Unavailable | undefined => {
  const needed = requirements.files[0]
  if (needed === undefined) return undefined
  const where = needed.kind === "directory" ? `in ${needed.path}` : `from ${needed.path}`
  return new Unavailable({
    source: requirements.source,
    reason: "unsupported-runtime",
    message: `${requirements.source}: cannot be used here: it reads ${needed.purpose} ${where}, but ${why}`,
    attempts: 0,
    elapsedMs: 0,
    endpoint: requirements.endpoint
  })
}

/**
 * For a runtime that cannot pin a TLS certificate: the `Unavailable` (`unsupported-runtime`) a
 * source that pins (Service Fabric) must fail with, before any request; `undefined` otherwise.
 *
 * @since 0.1.0
 * @category checks
 * @example
 * ```ts
 * import { SourceRequirements } from "@managed-identity/core"
 *
 * const refusal = SourceRequirements.withoutCertificatePinning(
 *   SourceRequirements.of({ source: "ServiceFabric", endpoint: "https://10.0.0.4:2377/metadata/identity/oauth2/token", variables: {}, platform: "posix" }),
 *   "fetch always validates the certificate chain"
 * )
 * console.log(refusal?.message)
 * ```
 */
export const withoutCertificatePinning = (requirements: SourceRequirements, why: string): Unavailable | undefined =>
  requirements.certificatePinning
    ? new Unavailable({
        source: requirements.source,
        reason: "unsupported-runtime",
        message: `${requirements.source}: cannot be used here: its endpoint's self-signed certificate must be pinned by thumbprint, but ${why}`,
        attempts: 0,
        elapsedMs: 0,
        endpoint: requirements.endpoint
      })
    : undefined
