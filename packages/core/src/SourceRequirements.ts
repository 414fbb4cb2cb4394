/**
 * What a built source needs from its runtime beyond `fetch`: the one origin it connects to, the
 * files it reads and whether it pins a TLS certificate. Deno's adapter checks its permissions
 * against it before the first request and names the missing flag. (Runtimes without a file system
 * or certificate pinning need nothing from here: `SourceCatalog` refuses the sources they cannot
 * use, from the descriptors, before any request.)
 *
 * @since 0.1.0
 */
import type * as Source from "./Source.js"
import type { SourceName } from "./SourceName.js"

/**
 * A file (or a directory of files) a source reads.
 *
 * @since 0.1.0
 * @category models
 */
export type FileRequirement = Source.FileRequirement

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
 * The requirements of a built source (`ManagedIdentity.Service` carries them as `requirements`).
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import * as Either from "effect/Either"
 * import { SourceRequirements, WorkloadIdentitySource } from "@managed-identity/core"
 *
 * const source = Either.getOrThrow(
 *   WorkloadIdentitySource.descriptor.build(
 *     {
 *       AZURE_FEDERATED_TOKEN_FILE: "/var/run/secrets/azure/tokens/azure-identity-token",
 *       AZURE_CLIENT_ID: "00000000-0000-0000-0000-000000000001",
 *       AZURE_TENANT_ID: "contoso.onmicrosoft.com"
 *     },
 *     { platform: "posix", installed: [] }
 *   )
 * )
 * SourceRequirements.of(source).files[0]?.path // "/var/run/secrets/azure/tokens/azure-identity-token"
 * ```
 */
export const of = (source: Source.Source): SourceRequirements => ({
  source: source.name,
  endpoint: source.endpoint,
  files: source.files,
  certificatePinning: source.descriptor.certificatePinning
})
