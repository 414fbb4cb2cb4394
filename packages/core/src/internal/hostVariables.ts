/**
 * The variables more than one source reads: a host injects one endpoint variable and one secret,
 * and which source they mean depends on what else is set. Each is defined here once; a variable
 * only one source reads is defined in that source's module.
 *
 * @internal
 */
import type { Variable } from "../Source.js"

/** App Service, Functions, Container Apps, Service Fabric and Azure Arc: the token endpoint. */
export const IDENTITY_ENDPOINT: Variable = { name: "IDENTITY_ENDPOINT", secret: false }

/** App Service and Service Fabric: the secret sent with every request. */
export const IDENTITY_HEADER: Variable = { name: "IDENTITY_HEADER", secret: true }

/** Azure Machine Learning, legacy App Service and Cloud Shell: the token endpoint. */
export const MSI_ENDPOINT: Variable = { name: "MSI_ENDPOINT", secret: false }

/** Workload identity's app, and the user-assigned identity of a default credential chain. */
export const AZURE_CLIENT_ID: Variable = { name: "AZURE_CLIENT_ID", secret: false }
