/**
 * The identities assigned to the emulated host, and how each endpoint selects one the way
 * IMDS does: by an id when given, else the system-assigned identity, else the only user-assigned one.
 */
import { randomUUID } from "node:crypto"
import type { FederatedCredential, IdentityInput, IdentityRegistry, ManagedIdentity } from "../Emulator.js"
import { EmulatorOptionsError } from "./errors.js"

/** Which id a request selected its identity by. */
export type IdSelector =
  | { readonly by: "clientId"; readonly value: string }
  | { readonly by: "objectId"; readonly value: string }
  | { readonly by: "resourceId"; readonly value: string }

/** The outcome of selecting an identity for a request. */
export type Selection =
  | { readonly _tag: "Found"; readonly identity: ManagedIdentity }
  /** The id matches no identity. */
  | { readonly _tag: "NotFound" }
  /** No id given, no system-assigned identity and several user-assigned ones. */
  | { readonly _tag: "Ambiguous" }
  /** No id given and no identity at all. */
  | { readonly _tag: "None" }

/** The default audience of a federated credential, as Entra's. */
export const tokenExchangeAudience = "api://AzureADTokenExchange"

const sameId = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase()

/** The identities of the host, mutable while the emulator runs. */
export class IdentityStore {
  readonly #subscriptionId: string
  #identities: Array<ManagedIdentity> = []
  #counter = 0

  constructor(subscriptionId: string) {
    this.#subscriptionId = subscriptionId
  }

  /** Adds an identity, filling in missing ids; a second system-assigned identity replaces the first. */
  add(input: IdentityInput): ManagedIdentity {
    const kind = input.kind ?? "user"
    this.#counter += 1
    const name = input.name ?? (kind === "system" ? "emulator-vm" : `identity-${this.#counter}`)
    const resourceGroup = `/subscriptions/${this.#subscriptionId}/resourceGroups/managed-identity-emulator/providers`
    const identity: ManagedIdentity = Object.freeze({
      kind,
      name,
      clientId: input.clientId ?? randomUUID(),
      objectId: input.objectId ?? randomUUID(),
      resourceId:
        input.resourceId ??
        (kind === "system"
          ? `${resourceGroup}/Microsoft.Compute/virtualMachines/${name}`
          : `${resourceGroup}/Microsoft.ManagedIdentity/userAssignedIdentities/${name}`),
      federatedCredentials: Object.freeze(
        (input.federatedCredentials ?? []).map((credential) =>
          Object.freeze({ ...credential, audience: credential.audience ?? tokenExchangeAudience })
        )
      )
    })
    this.#identities = kind === "system" ? this.#identities.filter((i) => i.kind !== "system") : this.#identities
    this.#identities.push(identity)
    return identity
  }

  /** Removes the identity with this client id, object id, resource id or name. */
  remove(id: string): boolean {
    const before = this.#identities.length
    this.#identities = this.#identities.filter(
      (i) => !(sameId(i.clientId, id) || sameId(i.objectId, id) || sameId(i.resourceId, id) || i.name === id)
    )
    return this.#identities.length !== before
  }

  list(): ReadonlyArray<ManagedIdentity> {
    return [...this.#identities]
  }

  systemAssigned(): ManagedIdentity | undefined {
    return this.#identities.find((i) => i.kind === "system")
  }

  byClientId(clientId: string): ManagedIdentity | undefined {
    return this.#identities.find((i) => sameId(i.clientId, clientId))
  }

  select(selector: IdSelector | undefined): Selection {
    if (selector !== undefined) {
      const identity = this.#identities.find((i) => sameId(i[selector.by], selector.value))
      return identity === undefined ? { _tag: "NotFound" } : { _tag: "Found", identity }
    }
    const system = this.systemAssigned()
    if (system !== undefined) return { _tag: "Found", identity: system }
    const users = this.#identities.filter((i) => i.kind === "user")
    const [only] = users
    if (users.length === 1 && only !== undefined) return { _tag: "Found", identity: only }
    return users.length === 0 ? { _tag: "None" } : { _tag: "Ambiguous" }
  }
}

const keyAliases: Record<string, keyof IdentityInput | "issuer" | "subject" | "audience"> = {
  clientid: "clientId",
  client_id: "clientId",
  objectid: "objectId",
  object_id: "objectId",
  principalid: "objectId",
  principal_id: "objectId",
  resourceid: "resourceId",
  resource_id: "resourceId",
  msi_res_id: "resourceId",
  mi_res_id: "resourceId",
  name: "name",
  issuer: "issuer",
  subject: "subject",
  audience: "audience"
}

/**
 * Parses `system`, `system:clientId=…` or `user:clientId=…,objectId=…,resourceId=…,name=…`
 * (plus `issuer=…,subject=…[,audience=…]` for one federated credential); returns the reason when invalid.
 */
export const parseIdentitySpec = (spec: string): IdentityInput | string => {
  const text = spec.trim()
  const colon = text.indexOf(":")
  const kindText = (colon === -1 ? text : text.slice(0, colon)).toLowerCase()
  if (kindText !== "system" && kindText !== "user")
    return `Invalid identity "${spec}": expected system[:…] or user[:clientId=…,objectId=…,resourceId=…]`
  const fields: Record<string, string> = {}
  const rest = colon === -1 ? "" : text.slice(colon + 1)
  for (const pair of rest === "" ? [] : rest.split(",")) {
    const equals = pair.indexOf("=")
    const key = keyAliases[pair.slice(0, Math.max(equals, 0)).trim().toLowerCase()]
    const value = pair.slice(equals + 1).trim()
    if (equals === -1 || key === undefined || value === "")
      return `Invalid identity "${spec}": "${pair}" is not one of clientId=, objectId=, resourceId=, name=, issuer=, subject=, audience=`
    fields[key] = value
  }
  const { issuer, subject, audience, ...ids } = fields
  if ((issuer === undefined) !== (subject === undefined))
    return `Invalid identity "${spec}": a federated credential needs both issuer= and subject=`
  const federatedCredentials: Array<FederatedCredential> =
    issuer !== undefined && subject !== undefined
      ? [audience === undefined ? { issuer, subject } : { issuer, subject, audience }]
      : []
  return { kind: kindText, ...ids, ...(federatedCredentials.length > 0 ? { federatedCredentials } : {}) }
}

/** An identity input as given, or the one a spec describes; throws `EmulatorOptionsError` for a bad spec. */
export const toIdentityInput = (identity: IdentityInput | string): IdentityInput => {
  if (typeof identity !== "string") return identity
  const parsed = parseIdentitySpec(identity)
  if (typeof parsed === "string") throw new EmulatorOptionsError(parsed)
  return parsed
}

/** The public `IdentityRegistry` over a store: it also takes specs. */
export const registry = (store: IdentityStore): IdentityRegistry => ({
  list: () => store.list(),
  systemAssigned: () => store.systemAssigned(),
  add: (identity) => store.add(toIdentityInput(identity)),
  remove: (id) => store.remove(id)
})
