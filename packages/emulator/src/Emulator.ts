/**
 * A real managed-identity server on loopback: one HTTP port speaking IMDS, App Service, Azure ML,
 * Cloud Shell, Azure Arc and Entra's token endpoint (workload identity), plus one HTTPS port for
 * Service Fabric, all issuing real RS256 tokens, with scriptable faults and a request log.
 *
 * @since 0.1.0
 */
import type { EndpointName, Fault, FaultDefinition, FaultTarget } from "./Fault.js"
import * as environment from "./internal/environment.js"
import { EmulatorOptionsError } from "./internal/errors.js"
import { parseIdentitySpec } from "./internal/identities.js"
import { startEmulator } from "./internal/runtime.js"

/**
 * The public half of the emulator's RS256 signing key, as served in its JWKS; pass it to
 * `crypto.createPublicKey({ key: jwk, format: "jwk" })` to verify a token.
 *
 * @since 0.1.0
 * @category models
 */
export interface PublicJwk {
  readonly kty: "RSA"
  readonly use: "sig"
  readonly alg: "RS256"
  readonly kid: string
  readonly n: string
  readonly e: string
}

/**
 * A client-side source the emulator can point a client at with `envFor`.
 *
 * @since 0.1.0
 * @category models
 */
export type Source = "imds" | "appservice" | "azureml" | "cloudshell" | "arc" | "servicefabric" | "workloadidentity"

/**
 * Every source `envFor` accepts.
 *
 * @since 0.1.0
 * @category constants
 * @example
 * ```ts
 * import { Emulator } from "@managed-identity/emulator"
 *
 * console.log(Emulator.sources.length) // 7
 * ```
 */
export const sources: ReadonlyArray<Source> = environment.sources

/**
 * Reads a source name leniently: case, `-` and `_` are ignored, and the core's names
 * (`AppService`, `AzureArc`, `WorkloadIdentity`, ...) are accepted too.
 *
 * @since 0.1.0
 * @category parsing
 * @example
 * ```ts
 * import { Emulator } from "@managed-identity/emulator"
 *
 * console.log(Emulator.parseSource("AzureArc")) // "arc"
 * ```
 */
export const parseSource = (text: string): Source | undefined => environment.parseSource(text)

/**
 * A federated identity credential: which external tokens (`iss`, `sub`, `aud`) Entra accepts as
 * a client assertion for an identity.
 *
 * @since 0.1.0
 * @category models
 */
export interface FederatedCredential {
  readonly issuer: string
  readonly subject: string
  /** Defaults to `api://AzureADTokenExchange`. */
  readonly audience?: string
}

/**
 * An identity to assign to the emulated host; missing ids are generated.
 *
 * @since 0.1.0
 * @category models
 */
export interface IdentityInput {
  /** Defaults to `user`. A second system-assigned identity replaces the first. */
  readonly kind?: "system" | "user"
  readonly name?: string
  readonly clientId?: string
  readonly objectId?: string
  readonly resourceId?: string
  readonly federatedCredentials?: ReadonlyArray<FederatedCredential>
}

/**
 * An identity assigned to the emulated host.
 *
 * @since 0.1.0
 * @category models
 */
export interface ManagedIdentity {
  readonly kind: "system" | "user"
  readonly name: string
  readonly clientId: string
  readonly objectId: string
  readonly resourceId: string
  readonly federatedCredentials: ReadonlyArray<FederatedCredential>
}

/**
 * Parses an identity spec: `system`, `system:clientId=…` or
 * `user:clientId=…,objectId=…,resourceId=…,name=…` (add `issuer=…,subject=…` for a federated
 * credential). Returns an `EmulatorOptionsError` (never throws) when invalid.
 *
 * @since 0.1.0
 * @category parsing
 * @example
 * ```ts
 * import { Emulator } from "@managed-identity/emulator"
 *
 * const identity = Emulator.parseIdentity("user:clientId=11111111-1111-1111-1111-111111111111,name=api")
 * ```
 */
export const parseIdentity = (spec: string): IdentityInput | EmulatorOptionsError => {
  const result = parseIdentitySpec(spec)
  return typeof result === "string" ? new EmulatorOptionsError(result) : result
}

/**
 * How the 2017-09-01 endpoints (legacy App Service, Azure ML) send `expires_on`: legacy App
 * Service's date string (`"09/14/2017 00:00:00 PM +00:00"`) or epoch seconds as a string.
 *
 * @since 0.1.0
 * @category models
 */
export type LegacyExpiresOn = "date" | "seconds"

/**
 * Options of `start`.
 *
 * @since 0.1.0
 * @category models
 */
export interface EmulatorOptions {
  /** Only `127.0.0.1` (or `localhost`, which means it): the emulator never binds elsewhere. */
  readonly host?: string
  /** The HTTP port; 0 (the default) picks a free one. */
  readonly port?: number
  /** The HTTPS (Service Fabric) port; 0 (the default) picks a free one. */
  readonly httpsPort?: number
  /** The host's identities; defaults to one system-assigned identity. */
  readonly identities?: ReadonlyArray<IdentityInput | string>
  /** Faults installed at start, as definitions or compact specs. */
  readonly faults?: ReadonlyArray<FaultDefinition | string>
  /** Token lifetime; defaults to 86 400 s (24 h), like the tokens Azure issues to managed identities. */
  readonly tokenLifetimeSeconds?: number
  /** The tenant of every token; defaults to a random GUID. */
  readonly tenantId?: string
  /** The subscription in generated resource ids; defaults to a random GUID. */
  readonly subscriptionId?: string
  /** `IDENTITY_HEADER` / `MSI_SECRET` / Service Fabric's secret; defaults to a random value. */
  readonly secret?: string
  /** Where Azure Arc key files are written; defaults to a fresh temporary directory. */
  readonly keyDirectory?: string
  /** `expires_on` of the 2017-09-01 endpoints; defaults to `date`. */
  readonly legacyExpiresOn?: LegacyExpiresOn
  /**
   * The `error` IMDS answers a missing `Metadata: true` with. Live IMDS sends `invalid_request`
   * (the default); Microsoft's error table documents `bad_request_102`.
   */
  readonly missingMetadataError?: "invalid_request" | "bad_request_102"
  /** The resources tokens may be requested for; by default any absolute URI or GUID. */
  readonly resources?: ReadonlyArray<string>
  /** The clock (epoch ms) for token times, fault windows and throttling; defaults to `Date.now`. */
  readonly now?: () => number
  /** The random source for probabilistic faults, in [0, 1); defaults to `Math.random`. */
  readonly random?: () => number
  /**
   * Receives one line for each admin API request refused because a web page could have sent it (a
   * `Host` other than `127.0.0.1:<port>` or `localhost:<port>`, a foreign `Origin`, a state-changing
   * call that is not `application/json`): method, path, status and the offending value, never a
   * secret. Defaults to nothing; `managed-identity-emulator` writes the lines to stderr.
   */
  readonly log?: (line: string) => void
}

/**
 * What happened to a recorded request.
 *
 * @since 0.1.0
 * @category models
 */
export type RequestOutcome = "pending" | "answered" | "faulted" | "aborted"

/**
 * A request as recorded: secret headers (`X-IDENTITY-HEADER`, `secret`, `Authorization`) and
 * secret form fields (`client_assertion`) are stored as `[REDACTED]`.
 *
 * @since 0.1.0
 * @category models
 */
export interface RecordedRequest {
  readonly id: number
  /** ISO 8601 arrival time. */
  readonly time: string
  /** Arrival time, epoch milliseconds. */
  readonly timestamp: number
  readonly endpoint: EndpointName | "unknown"
  readonly scheme: "http" | "https"
  readonly method: string
  readonly path: string
  readonly query: Readonly<Record<string, string>>
  readonly headers: Readonly<Record<string, string>>
  readonly form?: Readonly<Record<string, string>>
  /** The client id of the identity a token was issued to. */
  readonly identity?: string
  readonly status?: number
  readonly outcome: RequestOutcome
  /** The specs of the faults that affected it. */
  readonly faults: ReadonlyArray<string>
  readonly durationMs?: number
}

/**
 * Request counts for one endpoint.
 *
 * @since 0.1.0
 * @category models
 */
export interface EndpointCounters {
  readonly total: number
  /** Requests at least one fault affected. */
  readonly faulted: number
  readonly byStatus: Readonly<Record<string, number>>
}

/**
 * The request log (admin API requests are not recorded).
 *
 * @since 0.1.0
 * @category models
 */
export interface RequestLog {
  all(endpoint?: EndpointName | "unknown"): ReadonlyArray<RecordedRequest>
  last(endpoint?: EndpointName | "unknown"): RecordedRequest | undefined
  count(endpoint?: EndpointName | "unknown"): number
  counters(): Readonly<Record<string, EndpointCounters>>
  clear(): void
}

/**
 * The installed faults. `add` throws a `FaultSyntaxError` for an invalid spec or definition.
 *
 * @since 0.1.0
 * @category models
 */
export interface FaultController {
  add(fault: FaultDefinition | string): Fault
  remove(id: string): boolean
  /** Removes every fault, or those of one target. */
  clear(target?: FaultTarget): void
  list(): ReadonlyArray<Fault>
  /** Resolves once the listeners follow the `refuse` faults in force (stopped or listening again). */
  settled(): Promise<void>
}

/**
 * The identities of the emulated host, changeable while it runs.
 *
 * @since 0.1.0
 * @category models
 */
export interface IdentityRegistry {
  list(): ReadonlyArray<ManagedIdentity>
  systemAssigned(): ManagedIdentity | undefined
  /** Adds an identity (an input or a spec such as `user:clientId=…`); throws `EmulatorOptionsError` for a bad spec. */
  add(identity: IdentityInput | string): ManagedIdentity
  /** Removes the identity with this client id, object id, resource id or name. */
  remove(id: string): boolean
}

/**
 * Claims of a federated token minted by the emulator.
 *
 * @since 0.1.0
 * @category models
 */
export interface FederatedTokenOptions {
  /** Defaults to `system:serviceaccount:default:workload-identity-sa`. */
  readonly subject?: string
  /** Defaults to `api://AzureADTokenExchange`. */
  readonly audience?: string
  /** Defaults to 3600 s. */
  readonly lifetimeSeconds?: number
}

/**
 * A running emulator.
 *
 * @since 0.1.0
 * @category models
 */
export interface Emulator {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string
  readonly port: number
  /** `https://127.0.0.1:<httpsPort>`, where Service Fabric (and every other endpoint) is served over TLS. */
  readonly httpsUrl: string
  readonly httpsPort: number
  /** The variables that point a client at the IMDS endpoint (`envFor("imds")`). */
  readonly env: Readonly<Record<string, string>>
  /** The standard variables that point a client at one source of this emulator. */
  envFor(source: Source): Readonly<Record<string, string>>
  readonly requests: RequestLog
  readonly faults: FaultController
  readonly identities: IdentityRegistry
  /** The JWKS that verifies every token the emulator issues. */
  readonly jwks: { readonly keys: ReadonlyArray<PublicJwk> }
  /** SHA-1 thumbprint (hex, upper case) of the HTTPS certificate: `IDENTITY_SERVER_THUMBPRINT`. */
  readonly thumbprint: string
  /** The HTTPS certificate (PEM), to trust it as a CA instead of pinning the thumbprint. */
  readonly certificate: string
  /** Where Azure Arc key files are written. */
  readonly keyDirectory: string
  readonly tenantId: string
  /** `IDENTITY_HEADER` / `MSI_SECRET` / Service Fabric's secret. */
  readonly secret: string
  /** The issuer of federated tokens minted by the emulator (`<url>/oidc`). */
  readonly federatedIssuer: string
  /** A federated (service-account-style) token the Entra endpoint accepts as `client_assertion`. */
  mintFederatedToken(options?: FederatedTokenOptions): string
  /** Writes a federated token to `path` (default: a file in the emulator's temporary directory) and returns the path. */
  writeFederatedTokenFile(path?: string, options?: FederatedTokenOptions): Promise<string>
  /** Stops both listeners, ends every connection (hung ones too) and deletes the temporary files. */
  close(): Promise<void>
}

export {
  /**
   * Invalid emulator options (a non-loopback host, a bad port, a bad identity or fault spec);
   * declared, with its example, in an internal module so the runtime can raise it.
   *
   * @since 0.1.0
   * @category errors
   */
  EmulatorOptionsError
} from "./internal/errors.js"

/**
 * Starts an emulator on 127.0.0.1; rejects with `EmulatorOptionsError` for invalid options.
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import { Emulator } from "@managed-identity/emulator"
 *
 * const emulator = await Emulator.start({ faults: ["imds:503x1"] })
 * const response = await fetch(
 *   `${emulator.url}/metadata/identity/oauth2/token?api-version=2018-02-01&resource=https://management.azure.com/`,
 *   { headers: { Metadata: "true" } }
 * )
 * console.log(response.status) // 503, then 200 on the next request
 * await emulator.close()
 * ```
 */
export const start = (options: EmulatorOptions = {}): Promise<Emulator> => startEmulator(options)
