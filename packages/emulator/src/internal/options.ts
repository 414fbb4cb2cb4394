/**
 * The options of `Emulator.start`, checked and with their defaults filled in.
 */
import { randomBytes, randomUUID } from "node:crypto"
import type { EmulatorOptions, IdentityInput, LegacyExpiresOn } from "../Emulator.js"
import type { FaultDefinition } from "../Fault.js"
import { EmulatorOptionsError } from "./errors.js"
import { toFaultDefinition } from "./faults.js"
import { toIdentityInput } from "./identities.js"

export interface Settings {
  readonly port: number
  readonly httpsPort: number
  readonly faults: ReadonlyArray<FaultDefinition>
  readonly identities: ReadonlyArray<IdentityInput>
  readonly now: () => number
  readonly random: () => number
  /** Never throws: a failing callback must not fail the request it reports. */
  readonly log: (line: string) => void
  readonly tenantId: string
  readonly subscriptionId: string
  readonly secret: string
  readonly tokenLifetimeSeconds: number
  readonly legacyExpiresOn: LegacyExpiresOn
  readonly missingMetadataError: "invalid_request" | "bad_request_102"
  /** Whether tokens may be issued for this resource. */
  readonly acceptsResource: (resource: string) => boolean
  /** Undefined: a directory in the emulator's temporary folder. */
  readonly keyDirectory: string | undefined
}

const invalidReason = (options: EmulatorOptions): string | undefined => {
  if (options.host !== undefined && options.host !== "127.0.0.1" && options.host !== "localhost")
    return `The emulator binds to 127.0.0.1 only; host "${options.host}" is not allowed (a managed-identity endpoint must never be reachable from another machine)`
  for (const [name, port] of [
    ["port", options.port],
    ["httpsPort", options.httpsPort]
  ] as const) {
    if (port !== undefined && !(Number.isInteger(port) && port >= 0 && port <= 65535))
      return `${name} must be an integer from 0 to 65535, got ${String(port)}`
  }
  const lifetime = options.tokenLifetimeSeconds
  if (lifetime !== undefined && !(Number.isInteger(lifetime) && lifetime > 0))
    return `tokenLifetimeSeconds must be a positive integer, got ${String(lifetime)}`
  return undefined
}

/** Any absolute URI (`https://…`, `api://…`) or an application id (GUID). */
const isResourceLike = (resource: string): boolean => {
  if (/\s/.test(resource)) return false
  if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(resource)) return true
  try {
    return new URL(resource).protocol.length > 1
  } catch {
    return false
  }
}

const normalizeResource = (resource: string): string => resource.replace(/\/+$/, "").toLowerCase()

/**
 * The settings `options` describe; throws `EmulatorOptionsError` for a bad option or identity
 * and `FaultSyntaxError` for a bad fault.
 */
export const settingsOf = (options: EmulatorOptions): Settings => {
  const invalid = invalidReason(options)
  if (invalid !== undefined) throw new EmulatorOptionsError(invalid)
  const faults = (options.faults ?? []).map(toFaultDefinition)
  const identities = (options.identities ?? [{ kind: "system" as const }]).map(toIdentityInput)
  const allowed = options.resources === undefined ? undefined : new Set(options.resources.map(normalizeResource))
  return {
    port: options.port ?? 0,
    httpsPort: options.httpsPort ?? 0,
    faults,
    identities,
    now: options.now ?? Date.now,
    random: options.random ?? Math.random,
    log: (line) => {
      try {
        options.log?.(line)
      } catch {
        // The refusal is answered either way.
      }
    },
    tenantId: options.tenantId ?? randomUUID(),
    subscriptionId: options.subscriptionId ?? randomUUID(),
    secret: options.secret ?? randomBytes(24).toString("base64url"),
    tokenLifetimeSeconds: options.tokenLifetimeSeconds ?? 86_400,
    legacyExpiresOn: options.legacyExpiresOn ?? "date",
    missingMetadataError: options.missingMetadataError ?? "invalid_request",
    acceptsResource: (resource) =>
      isResourceLike(resource) && (allowed === undefined || allowed.has(normalizeResource(resource))),
    keyDirectory: options.keyDirectory
  }
}
