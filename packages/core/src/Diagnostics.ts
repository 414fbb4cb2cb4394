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
import * as Either from "effect/Either"
import { type Platform, type Variables, normalize } from "./Environment.js"
import type { ManagedIdentityError } from "./ManagedIdentityError.js"
import { configuredBy, requiredVariables } from "./Source.js"
import * as SourceCatalog from "./SourceCatalog.js"
import type { SourceName } from "./SourceName.js"
import { quote } from "./internal/sourceSecrets.js"

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

/**
 * What the environment variables mean for managed identity.
 *
 * @since 0.1.0
 * @category models
 */
export interface DiagnoseOptions {
  readonly platform: Platform
  /** The sources whose agent was found installed (`SourceCatalog.installedAgents`). */
  readonly installed?: ReadonlyArray<SourceName> | undefined
}

const list = (items: ReadonlyArray<string>): string =>
  items.length <= 1 ? (items[0] ?? "") : `${items.slice(0, -1).join(", ")} and ${items.at(-1)}`

const listOr = (items: ReadonlyArray<string>): string =>
  items.length <= 1 ? (items[0] ?? "") : `${items.slice(0, -1).join(", ")} or ${items.at(-1)}`

// Every variable any source reads, once, in catalog order, with what each source does with it.
const variableTable: ReadonlyArray<{ readonly name: string; readonly secret: boolean; readonly role: string }> =
  (() => {
    const byName = new Map<string, { secret: boolean; roles: Map<string, Array<string>> }>()
    for (const descriptor of SourceCatalog.all) {
      for (const use of descriptor.variables) {
        let entry = byName.get(use.variable.name)
        if (entry === undefined) {
          entry = { secret: use.variable.secret, roles: new Map() }
          byName.set(use.variable.name, entry)
        }
        const users = entry.roles.get(use.role) ?? []
        users.push(descriptor.displayName)
        entry.roles.set(use.role, users)
      }
    }
    return [...byName].map(([name, entry]) => ({
      name,
      secret: entry.secret,
      role: [...entry.roles].map(([role, users]) => `${role} of ${listOr(users)}`).join("; ")
    }))
  })()

/**
 * Explains the environment: source, variables, what is missing or conflicting.
 *
 * @since 0.1.0
 * @category diagnostics
 * @example
 * ```ts
 * import { Diagnostics } from "@managed-identity/core"
 *
 * const d = Diagnostics.diagnose({ IDENTITY_ENDPOINT: "http://127.0.0.1:41741/msi/token/" }, { platform: "posix" })
 * console.log(d.source, d.warnings[0])
 * // IMDS IDENTITY_ENDPOINT is set but IDENTITY_HEADER is not: App Service / Azure Functions needs both; falling back to the Azure Instance Metadata Service (IMDS)
 * ```
 */
export const diagnose = (input: Variables, options: DiagnoseOptions): Diagnosis => {
  const v = normalize(input)
  const installed = options.installed ?? []
  const source = SourceCatalog.detectName(v, { installed })
  const selected = SourceCatalog.get(source)
  const isSet = (name: string) => v[name] !== undefined
  const variables: Array<VariableReport> = variableTable.map(({ name, secret, role }) => {
    const value = v[name]
    if (value === undefined) return { name, set: false, role }
    return { name, set: true, role, value: secret ? "<redacted>" : quote(value, [], 300) }
  })

  const configured = SourceCatalog.all.filter(
    (descriptor) =>
      requiredVariables(descriptor).length > 0 && (configuredBy(descriptor, v) || installed.includes(descriptor.name))
  )
  const coveredByConfigured = (name: string) =>
    configured.some((descriptor) => requiredVariables(descriptor).some((variable) => variable.name === name))

  // Half-configured sources: a variable that signals a source is set without the rest of its
  // required ones. One warning per group of variables, for the source most nearly configured.
  const missing = new Set<string>()
  const warnings: Array<string> = []
  const warned = new Set<string>()
  const candidates = SourceCatalog.all
    .filter((descriptor) => !configured.includes(descriptor))
    .map((descriptor) => {
      const required = requiredVariables(descriptor).map((variable) => variable.name)
      const set = required.filter(isSet)
      const signalled = descriptor.variables.some((use) => use.signals && isSet(use.variable.name))
      return { descriptor, required, set, signalled }
    })
    .filter(({ set, signalled }) => signalled && set.some((name) => !coveredByConfigured(name)))
    .sort((a, b) => b.set.length / b.required.length - a.set.length / a.required.length)
  for (const { descriptor, required, set } of candidates) {
    if (set.every((name) => warned.has(name))) continue
    const absent = required.filter((name) => !isSet(name))
    for (const name of absent) missing.add(name)
    for (const name of set) warned.add(name)
    const needs = required.length === 2 ? "both" : `all ${numberWords[required.length] ?? required.length}`
    const fallback = source === descriptor.name ? "" : `; falling back to ${selected.displayName}`
    warnings.push(
      `${list(set)} ${set.length > 1 ? "are" : "is"} set but ${list(absent)} ${absent.length > 1 ? "are" : "is"} not: ${descriptor.displayName} needs ${needs}${fallback}`
    )
  }

  // Several sources configured: the first in detection order wins. A source whose variables are a
  // subset of an earlier one's (App Service's of Service Fabric's) is not a second configuration.
  const conflicts: Array<string> = []
  const first = configured[0]
  for (const other of configured.slice(1)) {
    const names = requiredVariables(other).map((variable) => variable.name)
    const subsumed = configured.some(
      (earlier) =>
        earlier !== other &&
        configured.indexOf(earlier) < configured.indexOf(other) &&
        names.every((name) => requiredVariables(earlier).some((variable) => variable.name === name))
    )
    if (!subsumed && first !== undefined) {
      conflicts.push(`${other.displayName} is configured too, but ${first.displayName} comes first and is used`)
    }
  }

  // Values a source cannot use, and what each source says about this environment.
  for (const descriptor of SourceCatalog.all) {
    for (const use of descriptor.variables) {
      const value = v[use.variable.name]
      const problem = value === undefined ? undefined : use.check?.(value)
      if (problem !== undefined && !warnings.includes(problem)) warnings.push(problem)
    }
    for (const warning of descriptor.advice.warnings?.(v) ?? []) warnings.push(warning)
  }

  const built = selected.build(v, { platform: options.platform, installed })
  return {
    source,
    endpoint: Either.isRight(built) ? built.right.endpoint : undefined,
    variables,
    missing: [...missing],
    conflicts,
    warnings,
    explanation: selected.advice.selected(v, { installed })
  }
}

const numberWords: Record<number, string> = { 3: "three", 4: "four" }

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
          SourceCatalog.get(source).advice.unreachable
        ]
      }
    case "access-denied":
      return {
        summary:
          "The operating system refused to open a socket to the managed-identity endpoint (access forbidden, e.g. Windows SocketException 10013).",
        advice: [
          "On Azure Functions consumption plans this is the sandbox's limit on outbound connections: reuse one HTTP client across invocations instead of creating one per call (credentials of one configuration already share one token cache per process, so they make no extra token requests).",
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
          "Enable the system-assigned identity, or assign the user-assigned identity to this resource.",
          SourceCatalog.get(source).advice.userAssigned,
          "A new assignment can take a few minutes to reach the host."
        ]
      }
    case "not-the-endpoint": {
      const evidence = error.evidence
      const who = evidence?.server === undefined ? "" : ` (its Server header says ${evidence.server})`
      return {
        summary: `Something other than the ${source} endpoint answered${who}: ${evidence?.status === undefined ? "" : `status ${evidence.status}, `}${evidence?.body === "html" ? "an HTML page" : evidence?.body === "text" ? "plain text" : "not the endpoint's JSON"} where the endpoint answers with its own JSON error.`,
        advice: [
          "A proxy, a firewall appliance or a captive portal is answering in the endpoint's place: managed-identity endpoints are never reached through a proxy. Exclude them from HTTP(S)_PROXY with NO_PROXY (IMDS: 169.254.169.254; App Service: localhost).",
          "Docker Desktop (and some WSL setups) answer requests for 169.254.169.254 themselves with a 403 about an unreachable network: there is no IMDS inside a local container. Use another credential there, or the emulator.",
          "This is not retried: a credential chain moves on to its next credential.",
          SourceCatalog.get(source).advice.unreachable
        ]
      }
    }
    case "unsupported-identity":
      return {
        summary: `${source} cannot select the requested user-assigned identity.`,
        advice: [SourceCatalog.get(source).advice.userAssigned]
      }
    case "not-configured": {
      const required = requiredVariables(SourceCatalog.get(source)).map((variable) => variable.name)
      return {
        summary: `${source} is not configured on this host: ${error.message}`,
        advice: [
          required.length === 0
            ? "Enable managed identity for the resource."
            : `Enable managed identity for the resource; the host then injects ${list(required)}.`,
          "On Azure Functions, a new instance may start before the variables are injected: check them at startup and retry, or log the missing variable.",
          "Run `managed-identity doctor` to see which variables are set."
        ]
      }
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
        advice: [SourceCatalog.get(source).advice.slow, retryAdvice]
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
          "For App Service, the secret header the host injected may be stale: restart the app."
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
        advice: ["The endpoint variable may point to the wrong service."]
      }
    default:
      return {
        summary: `${source} rejected the request (${error.status ?? "no status"}${code ? ` ${code}` : ""}).${said}`,
        advice: [
          "A 4xx is a design-time error: retrying will not help. Check the request parameters (resource, identity).",
          code === "invalid_client" || code === "unauthorized_client"
            ? "Check that the identity exists and is assigned, or (workload identity) that the app's client id and its federated credential match."
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
    case "invalid-token":
      return {
        summary: `${source} answered with an access token that cannot be sent in an Authorization header. ${error.message}`,
        advice: [
          "A real token is visible ASCII only: something other than the managed-identity endpoint answered, or the answer was corrupted.",
          "Check the endpoint variable and what answers there (run `managed-identity doctor`)."
        ]
      }
    case "wrong-identity":
      return {
        summary: `${source} answered with a token for another identity. ${error.message}`,
        advice: [
          "Check the id you pass (clientId, objectId or resourceId, or AZURE_CLIENT_ID) and that this identity is assigned to the resource.",
          "Something other than the managed-identity endpoint may be answering (a proxy, a misconfigured sidecar): run `managed-identity doctor`.",
          "Set verifyTokenIdentity: false only if your host issues tokens whose claims name the identity differently."
        ]
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
