/**
 * Faults the emulator injects into its endpoints, and their compact text syntax
 * (`imds:410x2`, `imds:503@0.16`, `imds:latency=2000`, `*:reset`, ...), shared by the code API,
 * the `--fault` command-line option and `POST /admin/faults`.
 *
 * Syntax: `<target>[?<params>]:<action>[,retry-after=<seconds>][<schedule>]` where
 *
 * - `target` is an endpoint (`imds`, `appservice`, `azureml`, `cloudshell`, `arc`, `servicefabric`,
 *   `entra`, `discovery`) or `*` for all of them;
 * - `params`, URL-encoded (`client_id=abc&resource=https%3A%2F%2Fvault.azure.net`), limits the
 *   fault to requests carrying those parameters (query string or form body);
 * - `action` is a status code (`404`, `410`, `429`, `500`, `503`, any 400–599, answered with the
 *   endpoint's Azure-shaped error body), `latency=<ms>`, `blackhole`, `reset`, `refuse`, `truncate`,
 *   `malformed`, `html` or `html=<status>`, `slow=<ms>`, `oversized`, `throttle=<requests per second>`
 *   or `reply=<status>` (that status, empty body; a definition adds headers and a body);
 * - `schedule` is `x<N>` (the next N matching requests), `@<p>` (each request with probability p,
 *   e.g. `@0.16`) or `~<duration>` (for a time window from now: `~70s`, `~500ms`, `~2m`); none means
 *   every matching request until the fault is removed.
 *
 * @since 0.1.0
 */
import { endpoints as endpointNames, formatFault, parseFault } from "./internal/faultSyntax.js"

/**
 * An endpoint of the emulator: one per identity source, plus Entra's token endpoint and the
 * discovery documents (JWKS, OpenID configuration).
 *
 * @since 0.1.0
 * @category models
 */
export type EndpointName =
  | "imds"
  | "appservice"
  | "azureml"
  | "cloudshell"
  | "arc"
  | "servicefabric"
  | "entra"
  | "discovery"

/**
 * Every endpoint name, in a stable order.
 *
 * @since 0.1.0
 * @category constants
 * @example
 * ```ts
 * import { Fault } from "@managed-identity/emulator"
 *
 * console.log(Fault.endpoints.includes("imds")) // true
 * ```
 */
export const endpoints: ReadonlyArray<EndpointName> = endpointNames

/**
 * Which endpoint a fault applies to; `*` is every endpoint.
 *
 * @since 0.1.0
 * @category models
 */
export type FaultTarget = EndpointName | "*"

/**
 * What a fault does to a request.
 *
 * - `status`: answer `status` with the endpoint's Azure-shaped error body (`Retry-After` for 429/503
 *   when `retryAfterSeconds` is set; 429 defaults to 1 s).
 * - `latency`: wait `ms` before handling the request normally (combines with other faults).
 * - `blackhole`: accept the request and never answer (`close()` still ends the socket).
 * - `reset`: destroy the connection with a TCP reset, without a response.
 * - `refuse`: stop listening, so new connections are refused, for the fault's window or until the
 *   fault is removed; it affects the whole port (the HTTPS port for `servicefabric`, both for `*`).
 * - `truncate`: send headers with a `Content-Length` larger than the body, then close the socket.
 * - `malformed`: answer 200 with a JSON body cut in the middle.
 * - `html`: answer `status` (default 502) with an HTML error page, as a gateway would.
 * - `slow`: send the normal response body a few bytes at a time over `ms` milliseconds.
 * - `oversized`: answer 200 with a valid token response padded past 64 KiB.
 * - `throttle`: like IMDS, answer 429 to requests beyond `perSecond` in any one-second window.
 * - `reply`: answer exactly `status` (200–599), `headers` and `body` (default empty), for replies
 *   no endpoint of the emulator would make: another service's error page, a proxy's plain-text
 *   403, a token response with odd fields. Its compact form `reply=<status>` has an empty body and
 *   no headers; give headers and a body in a definition (code or the admin API's JSON).
 *
 * @since 0.1.0
 * @category models
 */
export type FaultAction =
  | { readonly kind: "status"; readonly status: number; readonly retryAfterSeconds?: number }
  | { readonly kind: "latency"; readonly ms: number }
  | { readonly kind: "blackhole" }
  | { readonly kind: "reset" }
  | { readonly kind: "refuse" }
  | { readonly kind: "truncate" }
  | { readonly kind: "malformed" }
  | { readonly kind: "html"; readonly status: number }
  | { readonly kind: "slow"; readonly ms: number }
  | { readonly kind: "oversized" }
  | { readonly kind: "throttle"; readonly perSecond: number; readonly retryAfterSeconds?: number }
  | {
      readonly kind: "reply"
      readonly status: number
      /** Sent as given (`Content-Length` is set by the emulator and may not be given). */
      readonly headers?: Readonly<Record<string, string>>
      readonly body?: string
    }

/**
 * A fault before it is installed: a target, an action, at most one schedule (`times`,
 * `probability` or `durationMs`; none means every matching request until removed) and, optionally,
 * the request parameters a request must carry for the fault to apply to it.
 *
 * @since 0.1.0
 * @category models
 */
export interface FaultDefinition {
  readonly target: FaultTarget
  readonly action: FaultAction
  /** Apply to the next `times` matching requests, then remove itself. */
  readonly times?: number
  /** Apply to each matching request with this probability (0 < p ≤ 1). */
  readonly probability?: number
  /** Apply to every matching request for this many milliseconds from installation. */
  readonly durationMs?: number
  /**
   * Apply only to requests that carry each of these parameters with exactly this value, in the
   * query string or the form body (`{ client_id: "…" }`); other requests are answered as if the
   * fault were not there, and do not count against `times`. Compact form: `imds?client_id=…:503`.
   */
  readonly params?: Readonly<Record<string, string>>
}

/**
 * An installed fault, with its id (for removal), its canonical spec and how often it fired.
 *
 * @since 0.1.0
 * @category models
 */
export interface Fault extends FaultDefinition {
  readonly id: string
  /** The canonical compact form, e.g. `imds:410x2`. */
  readonly spec: string
  /** How many requests it has affected so far. */
  readonly hits: number
  /** For `times` faults: how many requests it will still affect. */
  readonly remaining?: number
}

/**
 * A fault spec that could not be parsed; the message says which part and why.
 *
 * @since 0.1.0
 * @category errors
 * @example
 * ```ts
 * import { Fault } from "@managed-identity/emulator"
 *
 * const result = Fault.parse("imds:teapot")
 * if (result instanceof Fault.FaultSyntaxError) console.log(result.message)
 * ```
 */
export class FaultSyntaxError extends Error {
  /** The spec as given. */
  readonly spec: string
  constructor(spec: string, reason: string) {
    super(`Invalid fault "${spec}": ${reason}`)
    this.name = "FaultSyntaxError"
    this.spec = spec
  }
}

/**
 * Parses a compact fault spec; returns a `FaultSyntaxError` (never throws) when it is invalid.
 *
 * @since 0.1.0
 * @category parsing
 * @example
 * ```ts
 * import { Fault } from "@managed-identity/emulator"
 *
 * const fault = Fault.parse("imds:429,retry-after=5x3")
 * // { target: "imds", action: { kind: "status", status: 429, retryAfterSeconds: 5 }, times: 3 }
 * ```
 */
export const parse = (spec: string): FaultDefinition | FaultSyntaxError => {
  const result = parseFault(spec)
  return typeof result === "string" ? new FaultSyntaxError(spec, result) : result
}

/**
 * The canonical compact spec of a fault definition (the inverse of `parse`).
 *
 * @since 0.1.0
 * @category formatting
 * @example
 * ```ts
 * import { Fault } from "@managed-identity/emulator"
 *
 * console.log(Fault.format({ target: "imds", action: { kind: "status", status: 503 }, probability: 0.16 }))
 * // "imds:503@0.16"
 * ```
 */
export const format = (fault: FaultDefinition): string => formatFault(fault)
