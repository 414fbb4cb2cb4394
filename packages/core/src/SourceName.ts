/**
 * The names of the identity sources. Their order, and everything else about them, is in
 * `SourceCatalog` and each source's descriptor.
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
