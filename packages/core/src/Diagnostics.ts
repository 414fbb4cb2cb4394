/**
 * Plain-words diagnostics for people: `diagnose` says which source the environment selects,
 * which variables are set, missing or in conflict, and why; `explain` turns any error into a
 * summary and concrete advice, drawn from the managed-identity documentation's error table and
 * from the Azure Functions write-up (intermittent "socket access forbidden" failures on
 * consumption plans, variables not injected yet at cold start). Both are pure; the CLI's
 * `doctor` prints them.
 *
 * @since 0.1.0
 */
import * as AzureArcSource from "./AzureArcSource.js"
import { normalizeThumbprint } from "./CertificatePinning.js"
import { type Platform, type Variables, normalize } from "./Environment.js"
import * as ImdsSource from "./ImdsSource.js"
import type { ManagedIdentityError } from "./ManagedIdentityError.js"
import { detectName } from "./Source.js"
import type { SourceName } from "./SourceName.js"
import * as WorkloadIdentitySource from "./WorkloadIdentitySource.js"
import { quote, safeUrl, stripQuery } from "./internal/sourceSecrets.js"

/**
 * One environment variable and what it is for.
 *
 * @since 0.1.0
 * @category models
 */
export interface VariableReport {
  readonly name: string
  readonly set: boolean
  /** What the variable does, in a few words. */
  readonly role: string
  /** Its value when set; `<redacted>` for secrets. */
  readonly value?: string | undefined
}

/**
 * What the environment means for managed identity.
 *
 * @since 0.1.0
 * @category models
 */
export interface Diagnosis {
  /** The source `Source.detect` would pick. */
  readonly source: SourceName
  /** Its token endpoint, when known without asking the file system. */
  readonly endpoint: string | undefined
  readonly variables: ReadonlyArray<VariableReport>
  /** Variables whose absence leaves a source half-configured. */
  readonly missing: ReadonlyArray<string>
  /** Sentences about several sources being configured at once. */
  readonly conflicts: ReadonlyArray<string>
  /** Sentences about suspicious values. */
  readonly warnings: ReadonlyArray<string>
  /** Why this source, in plain words. */
  readonly explanation: string
}

const roles: ReadonlyArray<readonly [name: string, role: string, secret: boolean]> = [
  ["IDENTITY_ENDPOINT", "token endpoint of App Service, Functions, Container Apps, Service Fabric or Azure Arc", false],
  ["IDENTITY_HEADER", "secret header of App Service or Service Fabric", true],
  ["IDENTITY_SERVER_THUMBPRINT", "Service Fabric's certificate thumbprint", false],
  ["IMDS_ENDPOINT", "Azure Arc's metadata endpoint", false],
  ["MSI_ENDPOINT", "token endpoint of Azure Machine Learning, legacy App Service or Cloud Shell", false],
  ["MSI_SECRET", "secret header of Azure Machine Learning or legacy App Service", true],
  ["AZURE_FEDERATED_TOKEN_FILE", "workload identity's service-account token file", false],
  ["AZURE_CLIENT_ID", "client id of the workload identity app or of a user-assigned identity", false],
  ["AZURE_TENANT_ID", "Entra tenant for workload identity", false],
  ["AZURE_AUTHORITY_HOST", "Entra authority for workload identity", false],
  ["AZURE_POD_IDENTITY_AUTHORITY_HOST", "IMDS replacement of AAD Pod Identity (deprecated)", false],
  ["DEFAULT_IDENTITY_CLIENT_ID", "Azure Machine Learning compute's default identity", false]
]

const display: Record<SourceName, string> = {
  ServiceFabric: "Service Fabric",
  AppService: "App Service / Azure Functions",
  AzureML: "Azure Machine Learning (or legacy App Service)",
  CloudShell: "Azure Cloud Shell",
  AzureArc: "Azure Arc",
  WorkloadIdentity: "workload identity (Kubernetes federation)",
  IMDS: "the Azure Instance Metadata Service (IMDS)"
}

/**
 * Explains the environment: source, variables, what is missing or conflicting.
 *
 * @since 0.1.0
 * @category diagnostics
 * @example
 * ```ts
 * import { Diagnostics } from "@managed-identity/core"
 *
 * const d = Diagnostics.diagnose({ IDENTITY_ENDPOINT: "http://127.0.0.1:41741/msi/token/" }, {
 *   platform: "posix",
 *   arcAgentInstalled: false
 * })
 * console.log(d.source, d.warnings[0])
 * // IMDS IDENTITY_ENDPOINT is set but IDENTITY_HEADER is not: App Service needs both; falling back to IMDS
 * ```
 */
export const diagnose = (
  input: Variables,
  options: { readonly platform: Platform; readonly arcAgentInstalled: boolean }
): Diagnosis => {
  const v = normalize(input)
  const source = detectName(v, { arcAgentInstalled: options.arcAgentInstalled })
  const fallback = display[source]
  const variables: Array<VariableReport> = roles.map(([name, role, secret]) => {
    const value = v[name]
    if (value === undefined) return { name, set: false, role }
    return { name, set: true, role, value: secret ? "<redacted>" : quote(value, [], 300) }
  })
  const missing = new Set<string>()
  const conflicts: Array<string> = []
  const warnings: Array<string> = []
  const isSet = (name: string) => v[name] !== undefined

  // Half-configured sources: say what is missing and where detection goes instead.
  if (isSet("IDENTITY_ENDPOINT") && !isSet("IDENTITY_HEADER") && !isSet("IMDS_ENDPOINT")) {
    missing.add("IDENTITY_HEADER")
    warnings.push(
      `IDENTITY_ENDPOINT is set but IDENTITY_HEADER is not: App Service needs both; falling back to ${source === "IMDS" ? "IMDS" : fallback}`
    )
  }
  if (isSet("IDENTITY_HEADER") && !isSet("IDENTITY_ENDPOINT")) {
    missing.add("IDENTITY_ENDPOINT")
    warnings.push(
      `IDENTITY_HEADER is set but IDENTITY_ENDPOINT is not: App Service needs both; falling back to ${source === "IMDS" ? "IMDS" : fallback}`
    )
  }
  if (isSet("IDENTITY_SERVER_THUMBPRINT") && !(isSet("IDENTITY_ENDPOINT") && isSet("IDENTITY_HEADER"))) {
    for (const name of ["IDENTITY_ENDPOINT", "IDENTITY_HEADER"]) if (!isSet(name)) missing.add(name)
    warnings.push(
      "IDENTITY_SERVER_THUMBPRINT is set but IDENTITY_ENDPOINT and IDENTITY_HEADER are not both set: Service Fabric needs all three"
    )
  }
  if (isSet("IMDS_ENDPOINT") && !isSet("IDENTITY_ENDPOINT")) {
    missing.add("IDENTITY_ENDPOINT")
    warnings.push(
      `IMDS_ENDPOINT is set but IDENTITY_ENDPOINT is not: Azure Arc needs both${options.arcAgentInstalled ? "; the installed Arc agent's default endpoint is used" : ""}`
    )
  }
  if (isSet("MSI_SECRET") && !isSet("MSI_ENDPOINT")) {
    missing.add("MSI_ENDPOINT")
    warnings.push("MSI_SECRET is set but MSI_ENDPOINT is not: Azure Machine Learning needs both")
  }
  const workload = ["AZURE_FEDERATED_TOKEN_FILE", "AZURE_CLIENT_ID", "AZURE_TENANT_ID"]
  if (isSet("AZURE_FEDERATED_TOKEN_FILE") && !workload.every(isSet)) {
    for (const name of workload) if (!isSet(name)) missing.add(name)
    warnings.push(
      `AZURE_FEDERATED_TOKEN_FILE is set but ${workload.filter((n) => !isSet(n)).join(" and ")} ${workload.filter((n) => !isSet(n)).length > 1 ? "are" : "is"} not: workload identity needs all three`
    )
  }

  // Several sources configured: the first in detection order wins.
  const configured: Array<SourceName> = []
  if (isSet("IDENTITY_ENDPOINT") && isSet("IDENTITY_HEADER")) {
    configured.push(isSet("IDENTITY_SERVER_THUMBPRINT") ? "ServiceFabric" : "AppService")
  }
  if (isSet("MSI_ENDPOINT")) configured.push(isSet("MSI_SECRET") ? "AzureML" : "CloudShell")
  if ((isSet("IDENTITY_ENDPOINT") && isSet("IMDS_ENDPOINT")) || options.arcAgentInstalled) configured.push("AzureArc")
  if (workload.every(isSet)) configured.push("WorkloadIdentity")
  for (const other of configured.slice(1)) {
    conflicts.push(`${display[other]} is configured too, but ${display[configured[0]!]} comes first and is used`)
  }

  // Suspicious values.
  for (const name of ["IDENTITY_ENDPOINT", "IMDS_ENDPOINT", "MSI_ENDPOINT", "AZURE_AUTHORITY_HOST"]) {
    const value = v[name]
    if (value === undefined) continue
    const url = safeUrl(value)
    if (url === undefined || (url.protocol !== "http:" && url.protocol !== "https:")) {
      warnings.push(`${name} is not a valid http(s) URL: the library refuses to use it`)
    }
  }
  const thumbprint = v.IDENTITY_SERVER_THUMBPRINT
  if (thumbprint !== undefined && normalizeThumbprint(thumbprint) === undefined) {
    warnings.push(
      "IDENTITY_SERVER_THUMBPRINT is not 40 or 64 hexadecimal digits: Service Fabric cannot pin its certificate"
    )
  }
  if (isSet("AZURE_POD_IDENTITY_AUTHORITY_HOST")) {
    warnings.push(
      "AZURE_POD_IDENTITY_AUTHORITY_HOST is set: IMDS requests go to AAD Pod Identity, which is deprecated in favour of workload identity"
    )
  }
  // The Functions write-up: on a fresh instance the host may not have injected the variables yet.
  if (
    (isSet("WEBSITE_SITE_NAME") || isSet("FUNCTIONS_WORKER_RUNTIME")) &&
    !isSet("IDENTITY_ENDPOINT") &&
    !isSet("MSI_ENDPOINT")
  ) {
    warnings.push(
      "This looks like App Service or Azure Functions (WEBSITE_SITE_NAME or FUNCTIONS_WORKER_RUNTIME is set) but IDENTITY_ENDPOINT is not: managed identity is not enabled for the app, or the host has not injected it yet (a cold start); IMDS is not reachable from App Service"
    )
  }

  return {
    source,
    endpoint: endpointOf(source, v, options.arcAgentInstalled),
    variables,
    missing: [...missing],
    conflicts,
    warnings,
    explanation: explanationOf(source, v, options.arcAgentInstalled)
  }
}

const endpointOf = (source: SourceName, v: Variables, arcAgentInstalled: boolean): string | undefined => {
  const printable = (value: string | undefined) => {
    const url = value === undefined ? undefined : safeUrl(value)
    return url === undefined ? undefined : stripQuery(url.toString())
  }
  switch (source) {
    case "ServiceFabric":
    case "AppService":
      return printable(v.IDENTITY_ENDPOINT)
    case "AzureML":
    case "CloudShell":
      return printable(v.MSI_ENDPOINT)
    case "AzureArc":
      return v.IDENTITY_ENDPOINT && v.IMDS_ENDPOINT
        ? printable(v.IDENTITY_ENDPOINT)
        : arcAgentInstalled
          ? AzureArcSource.DEFAULT_ENDPOINT
          : undefined
    case "WorkloadIdentity": {
      const authority = safeUrl(v.AZURE_AUTHORITY_HOST ?? WorkloadIdentitySource.DEFAULT_AUTHORITY_HOST)
      return authority === undefined || v.AZURE_TENANT_ID === undefined
        ? undefined
        : stripQuery(
            WorkloadIdentitySource.tokenEndpoint({
              authorityHost: authority,
              tenantId: v.AZURE_TENANT_ID,
              clientId: "",
              tokenFile: ""
            }).toString()
          )
    }
    case "IMDS": {
      const host = v.AZURE_POD_IDENTITY_AUTHORITY_HOST
      const base = host === undefined ? undefined : safeUrl(host)
      return host === undefined
        ? ImdsSource.DEFAULT_ENDPOINT
        : base === undefined
          ? undefined
          : new URL("/metadata/identity/oauth2/token", base).toString()
    }
  }
}

const explanationOf = (source: SourceName, v: Variables, arcAgentInstalled: boolean): string => {
  switch (source) {
    case "ServiceFabric":
      return "IDENTITY_ENDPOINT, IDENTITY_HEADER and IDENTITY_SERVER_THUMBPRINT are set, so tokens come from the Service Fabric cluster's token service, over TLS pinned to that thumbprint."
    case "AppService":
      return "IDENTITY_ENDPOINT and IDENTITY_HEADER are set, so tokens come from the App Service / Functions identity endpoint the host injected."
    case "AzureML":
      return "MSI_ENDPOINT and MSI_SECRET are set, so tokens come from the Azure Machine Learning (or legacy App Service) endpoint; it selects user-assigned identities by client id only."
    case "CloudShell":
      return "MSI_ENDPOINT is set without MSI_SECRET, so this is Azure Cloud Shell: tokens are for the signed-in user's identity."
    case "AzureArc":
      return v.IDENTITY_ENDPOINT && v.IMDS_ENDPOINT
        ? "IDENTITY_ENDPOINT and IMDS_ENDPOINT are set, so tokens come from the Azure Arc agent, which proves the caller's privilege with a key file in its token directory."
        : arcAgentInstalled
          ? "The Azure Arc agent is installed on this machine, so tokens come from its local endpoint, which proves the caller's privilege with a key file in its token directory."
          : "Azure Arc is selected."
    case "WorkloadIdentity":
      return "AZURE_FEDERATED_TOKEN_FILE, AZURE_CLIENT_ID and AZURE_TENANT_ID are set, so the pod's service-account token is exchanged at Microsoft Entra for an access token (workload identity federation)."
    case "IMDS":
      return `No other source is configured, so tokens come from ${display.IMDS}${v.AZURE_POD_IDENTITY_AUTHORITY_HOST ? " through AAD Pod Identity" : ""}. It answers only on Azure VMs, scale sets and AKS nodes that have a managed identity; elsewhere the first request fails fast and a credential chain moves on.`
  }
}

/**
 * A human explanation of an error: what happened, and what to do.
 *
 * @since 0.1.0
 * @category models
 */
export interface Explanation {
  readonly summary: string
  readonly advice: ReadonlyArray<string>
}

const retryAdvice =
  "The library retries this with exponential backoff (about 2, 6, 14, 30 s); no action is needed if it recovers."

/**
 * Explains an error in plain words with advice, for every reason and status.
 *
 * @since 0.1.0
 * @category diagnostics
 * @example
 * ```ts
 * import { Diagnostics, ManagedIdentityError } from "@managed-identity/core"
 *
 * const { summary, advice } = Diagnostics.explain(
 *   new ManagedIdentityError.Unavailable({
 *     source: "AppService",
 *     reason: "access-denied",
 *     message: "AppService: the operating system forbade opening a socket",
 *     attempts: 1,
 *     elapsedMs: 2
 *   })
 * )
 * ```
 */
export const explain = (error: ManagedIdentityError): Explanation => {
  switch (error._tag) {
    case "InvalidArgument":
      return {
        summary: `The input is invalid: ${error.message}`,
        advice: [`Fix ${error.argument}; nothing was sent to any endpoint.`]
      }
    case "Unavailable":
      return explainUnavailable(error)
    case "Transient":
      return explainTransient(error)
    case "Rejected":
      return explainRejected(error)
    case "InvalidResponse":
      return explainInvalidResponse(error)
  }
}

type Of<T extends ManagedIdentityError["_tag"]> = Extract<ManagedIdentityError, { readonly _tag: T }>

const explainUnavailable = (error: Of<"Unavailable">): Explanation => {
  const source = error.source
  switch (error.reason) {
    case "connection-refused":
      return {
        summary: `Nothing is listening at the ${source} endpoint: this host does not offer managed identity there.`,
        advice: [
          "On a developer machine this is expected: use another credential (Azure CLI, environment) or run the emulator.",
          "On an Azure resource, check that a managed identity is enabled for it.",
          source === "IMDS"
            ? "On a VM, check that nothing (a firewall, a proxy) blocks 169.254.169.254."
            : `Check the endpoint variable ${source === "AzureML" || source === "CloudShell" ? "MSI_ENDPOINT" : "IDENTITY_ENDPOINT"}.`
        ]
      }
    case "access-denied":
      return {
        summary:
          "The operating system refused to open a socket to the managed-identity endpoint (access forbidden, e.g. Windows SocketException 10013).",
        advice: [
          "On Azure Functions consumption plans this is the sandbox's limit on outbound connections: reuse one HTTP client and one credential across invocations instead of creating them per call.",
          "Retry with backoff and keep a circuit breaker so a burst of failures degrades safely instead of failing every request.",
          "If it persists, move the app to a Premium or Dedicated plan, which has higher connection limits and no cold-start scale-out.",
          "On Deno, grant --allow-net for the endpoint's host."
        ]
      }
    case "host-unreachable":
      return {
        summary: `The ${source} endpoint cannot be reached from this network.`,
        advice: [
          "This host is probably not on Azure, or its network blocks the endpoint.",
          "IMDS must never be reached through a proxy: exclude 169.254.169.254 from HTTP(S)_PROXY (NO_PROXY)."
        ]
      }
    case "probe-timeout":
      return {
        summary: `The ${source} endpoint did not accept a connection in time.`,
        advice: [
          "Off Azure, this is expected: the address does not exist here, and a credential chain moves on.",
          "On Azure, the endpoint should accept at once: check that managed identity is enabled for this resource and that nothing (a firewall, a sandbox) blocks the connection. This is not retried: a credential chain moves on to its next credential."
        ]
      }
    case "identity-not-found":
      return {
        summary: "The requested managed identity is not assigned to this resource.",
        advice: [
          "Enable the system-assigned identity, or assign the user-assigned identity to this VM / scale set.",
          "Check the client id, object id or resource id you pass (or AZURE_CLIENT_ID).",
          "A new assignment can take a few minutes to reach the host."
        ]
      }
    case "unsupported-identity":
      return {
        summary: `${source} cannot select the requested user-assigned identity.`,
        advice: [
          source === "AzureML"
            ? "Azure Machine Learning selects user-assigned identities by client id only: pass clientId."
            : source === "WorkloadIdentity"
              ? "Workload identity selects the app by client id: pass clientId or set AZURE_CLIENT_ID."
              : "Use the system-assigned identity here.",
          "For Service Fabric, user-assigned identities are bound in the application manifest."
        ]
      }
    case "not-configured":
      return {
        summary: `${source} is not configured on this host: ${error.message}`,
        advice: [
          "Enable managed identity for the resource; the host then injects IDENTITY_ENDPOINT (and its header).",
          "On Azure Functions, a new instance may start before the variables are injected: check IDENTITY_ENDPOINT at startup and retry, or log the missing variable.",
          "Run `managed-identity doctor` to see which variables are set."
        ]
      }
    case "unsupported-runtime":
      return {
        summary: `This runtime cannot use ${source}: ${error.message}`,
        advice: ["Use an adapter for a runtime that can (Node, Deno, Bun), or another credential."]
      }
    case "circuit-open":
      return {
        summary: `Requests to ${source} are failing fast after repeated failures (circuit breaker open).`,
        advice: [
          "Wait for the cool-down: one trial request is then let through.",
          "Look at the failure that opened the circuit (`managed-identity doctor` shows the last one)."
        ]
      }
  }
}

const explainTransient = (error: Of<"Transient">): Explanation => {
  const source = error.source
  switch (error.reason) {
    case "status":
      return explainTransientStatus(source, error.status, error.retryAfterMs)
    case "timeout":
      return {
        summary: `${source} accepted the connection but did not answer in time.`,
        advice: [
          source === "IMDS"
            ? "IMDS answers slowly while it is updating; the request is retried with exponential backoff."
            : `The ${source} endpoint is overloaded or starting up (a cold start on Functions); the request is retried with exponential backoff.`,
          retryAdvice
        ]
      }
    case "connection-reset":
      return {
        summary: `The connection to ${source} was reset before the answer arrived.`,
        advice: [
          retryAdvice,
          "Frequent resets on Azure Functions point to the sandbox's connection limits: reuse one credential."
        ]
      }
    case "network":
      return { summary: `The request to ${source} failed on the network.`, advice: [retryAdvice] }
    case "body-interrupted":
      return { summary: `${source}'s answer broke off while it was being read.`, advice: [retryAdvice] }
    case "circuit-open":
      return {
        summary: `Requests to ${source} are failing fast after repeated failures (circuit breaker open).`,
        advice: ["Wait for the cool-down: one trial request is then let through."]
      }
  }
}

const explainTransientStatus = (
  source: SourceName,
  status: number | undefined,
  retryAfterMs: number | undefined
): Explanation => {
  switch (status) {
    case 404:
      return {
        summary: `${source} answered 404: the endpoint is being updated.`,
        advice: ["Retry with exponential backoff, as the documentation advises.", retryAdvice]
      }
    case 408:
      return { summary: `${source} answered 408: the request timed out on its side.`, advice: [retryAdvice] }
    case 410:
      return {
        summary: `${source} answered 410: IMDS is going through updates and is available again within 70 seconds.`,
        advice: ["The library keeps retrying for up to 70 seconds; no action is needed."]
      }
    case 429:
      return {
        summary: `${source} answered 429: the throttling limit was reached.`,
        advice: [
          `Wait ${retryAfterMs === undefined ? "and retry with exponential backoff" : `${Math.ceil(retryAfterMs / 1000)} s (the endpoint's Retry-After)`} before retrying; the library honours Retry-After.`,
          "Make fewer token requests: share one credential so its cache serves repeated calls (the endpoint throttles per host)."
        ]
      }
    default:
      if (status !== undefined && status >= 500) {
        return {
          summary: `${source} answered ${status}: a transient error in the managed-identity subsystem or Microsoft Entra.`,
          advice: [
            "Retrying after at least one second is safe; retrying too fast or too often leads to 429.",
            status === 500
              ? "If it persists, check that managed identity is enabled for the resource and that the resource URI is correct."
              : retryAdvice
          ]
        }
      }
      return { summary: `${source} failed with status ${status ?? "unknown"}.`, advice: [retryAdvice] }
  }
}

const explainRejected = (error: Of<"Rejected">): Explanation => {
  const source = error.source
  const code = (error.error ?? "").toLowerCase()
  const said = error.errorDescription === undefined ? "" : ` It said: ${error.errorDescription}`
  if (code === "invalid_resource" || /AADSTS500011|AADSTS50001\b/.test(error.errorDescription ?? "")) {
    return {
      summary: `${source} does not know the requested resource.${said}`,
      advice: [
        "Check the resource URI (e.g. https://management.azure.com/, https://vault.azure.net): it must be an application in the tenant.",
        "The application may not be installed or consented in the tenant."
      ]
    }
  }
  if (code === "bad_request_102") {
    return {
      summary: `${source} says the required Metadata header is missing.${said}`,
      advice: [
        "The library always sends `Metadata: true`; something between (a proxy, an HTTP client wrapper) removed it.",
        "IMDS is not meant to be used behind a proxy: exclude 169.254.169.254 from the proxy."
      ]
    }
  }
  if (code === "invalid_key_file") {
    return {
      summary: `Azure Arc named a key file the library will not read. ${error.message}`,
      advice: [
        "The key file must be a regular .key file of at most 4096 bytes inside the agent's token directory.",
        "Check the Arc agent's installation (azcmagent show); the key directory is a code-level option for tests and the emulator."
      ]
    }
  }
  if (code === "invalid_argument") {
    return { summary: error.message, advice: ["Fix the identity id passed to the credential."] }
  }
  switch (error.status) {
    case 401:
      return {
        summary: `${source} refused the caller (401${code ? ` ${code}` : ""}).${said}`,
        advice: [
          "unknown_source: the request URI is malformed; check the endpoint variable.",
          "unauthorized_client: the resource does not have managed identity configured correctly.",
          "For App Service, IDENTITY_HEADER may be stale: restart the app."
        ]
      }
    case 403:
      return {
        summary: `${source} forbade the request (403${code ? ` ${code}` : ""}).${said}`,
        advice: [
          "The identity may not be allowed to request this token, or a network appliance is answering instead of the endpoint.",
          "With workload identity, check the federated credential (issuer, subject) of the app in Entra."
        ]
      }
    case 405:
      return {
        summary: `${source} does not accept this HTTP method (405).`,
        advice: ["The endpoint variable may point to the wrong service (e.g. Cloud Shell's MSI_ENDPOINT elsewhere)."]
      }
    default:
      return {
        summary: `${source} rejected the request (${error.status ?? "no status"}${code ? ` ${code}` : ""}).${said}`,
        advice: [
          "A 4xx is a design-time error: retrying will not help. Check the request parameters (resource, identity).",
          code === "invalid_client" || code === "unauthorized_client"
            ? "Check that the identity exists and is assigned, or (workload identity) that AZURE_CLIENT_ID and the federated credential match."
            : code === "invalid_scope"
              ? "The requested scope is invalid: pass one resource or one `<resource>/.default` scope."
              : "Run `managed-identity doctor` to check the configuration."
        ]
      }
  }
}

const explainInvalidResponse = (error: Of<"InvalidResponse">): Explanation => {
  const source = error.source
  switch (error.reason) {
    case "html":
      return {
        summary: `${source} answered with an HTML page, not a token.`,
        advice: [
          "A proxy, a captive portal or a wrong endpoint answered: IMDS must be reached directly, never through a proxy.",
          "Check the endpoint variable."
        ]
      }
    case "not-json":
      return {
        summary: `${source} answered with something that is not JSON.`,
        advice: ["Check the endpoint variable: it may point to another service."]
      }
    case "too-large":
      return {
        summary: `${source} answered with a body over 64 KiB, which is not a token response.`,
        advice: ["Check the endpoint variable: it may point to another service."]
      }
    case "missing-token":
      return {
        summary: `${source} answered without an access token. ${error.message}`,
        advice: ["The endpoint may be misbehaving or be another service; run `managed-identity doctor`."]
      }
    case "invalid-field":
      return {
        summary: `${source} answered with an unusable token expiry. ${error.message}`,
        advice: ["Check the host's clock and the endpoint's version."]
      }
    case "truncated":
      return { summary: `${source}'s answer was cut short.`, advice: [retryAdvice] }
    case "challenge":
      return {
        summary: `Azure Arc's challenge was not understood. ${error.message}`,
        advice: ["Check the Arc agent's version and status (azcmagent show)."]
      }
  }
}
