/**
 * The names of the identity sources, in the order they are detected.
 *
 * @since 0.1.0
 */

/**
 * An identity source: where a managed-identity token comes from on this host.
 *
 * @since 0.1.0
 * @category models
 */
export type SourceName =
  | "ServiceFabric"
  | "AppService"
  | "AzureML"
  | "CloudShell"
  | "AzureArc"
  | "WorkloadIdentity"
  | "IMDS"

/**
 * Every source, in detection order (IMDS is the default, always last).
 *
 * @since 0.1.0
 * @category constants
 * @example
 * ```ts
 * import { SourceName } from "@managed-identity/core"
 *
 * console.log(SourceName.all.at(-1)) // "IMDS"
 * ```
 */
export const all: ReadonlyArray<SourceName> = [
  "ServiceFabric",
  "AppService",
  "AzureML",
  "CloudShell",
  "AzureArc",
  "WorkloadIdentity",
  "IMDS"
]
