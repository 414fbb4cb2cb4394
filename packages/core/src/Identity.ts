/**
 * Which managed identity to ask for: the host's system-assigned identity, or a user-assigned one
 * selected by client id, object (principal) id or ARM resource id. Each source maps these to its
 * own query parameter, or refuses the ones it cannot select.
 *
 * @since 0.1.0
 */
import * as Either from "effect/Either"
import { InvalidArgument } from "./ManagedIdentityError.js"

/**
 * The system-assigned identity of the host.
 *
 * @since 0.1.0
 * @category models
 */
export interface SystemAssigned {
  readonly _tag: "SystemAssigned"
}

/**
 * A user-assigned identity selected by its client (application) id.
 *
 * @since 0.1.0
 * @category models
 */
export interface ClientId {
  readonly _tag: "ClientId"
  readonly id: string
}

/**
 * A user-assigned identity selected by its object (principal) id.
 *
 * @since 0.1.0
 * @category models
 */
export interface ObjectId {
  readonly _tag: "ObjectId"
  readonly id: string
}

/**
 * A user-assigned identity selected by its ARM resource id
 * (`/subscriptions/…/resourcegroups/…/providers/Microsoft.ManagedIdentity/userAssignedIdentities/…`).
 *
 * @since 0.1.0
 * @category models
 */
export interface ResourceId {
  readonly _tag: "ResourceId"
  readonly id: string
}

/**
 * A managed identity.
 *
 * @since 0.1.0
 * @category models
 */
export type Identity = SystemAssigned | ClientId | ObjectId | ResourceId

/**
 * The system-assigned identity.
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import { Identity } from "@managed-identity/core"
 *
 * console.log(Identity.systemAssigned._tag) // "SystemAssigned"
 * ```
 */
export const systemAssigned: Identity = Object.freeze({ _tag: "SystemAssigned" })

/**
 * A user-assigned identity by client id. Not validated; use `fromOptions` for untrusted input.
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import { Identity } from "@managed-identity/core"
 *
 * const id = Identity.clientId("00000000-0000-0000-0000-000000000001")
 * ```
 */
export const clientId = (id: string): Identity => ({ _tag: "ClientId", id })

/**
 * A user-assigned identity by object (principal) id.
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import { Identity } from "@managed-identity/core"
 *
 * const id = Identity.objectId("00000000-0000-0000-0000-000000000002")
 * ```
 */
export const objectId = (id: string): Identity => ({ _tag: "ObjectId", id })

/**
 * A user-assigned identity by ARM resource id.
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import { Identity } from "@managed-identity/core"
 *
 * const id = Identity.resourceId(
 *   "/subscriptions/0000/resourcegroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/app"
 * )
 * ```
 */
export const resourceId = (id: string): Identity => ({ _tag: "ResourceId", id })

/**
 * The options `@azure/identity`'s `ManagedIdentityCredential` takes to select an identity.
 *
 * @since 0.1.0
 * @category models
 */
export interface IdentityOptions {
  readonly clientId?: string | undefined
  readonly objectId?: string | undefined
  readonly resourceId?: string | undefined
}

const idPattern = /^[\x21-\x7e]+$/

/**
 * Validates identity options: at most one of `clientId`, `objectId`, `resourceId`, each a
 * non-empty printable string without spaces. None given means the system-assigned identity.
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import * as Either from "effect/Either"
 * import { Identity } from "@managed-identity/core"
 *
 * Either.getOrThrow(Identity.fromOptions({ clientId: "abc" })) // { _tag: "ClientId", id: "abc" }
 * Either.isLeft(Identity.fromOptions({ clientId: "a", objectId: "b" })) // true
 * ```
 */
export const fromOptions = (options: IdentityOptions | undefined): Either.Either<Identity, InvalidArgument> => {
  if (options === undefined || options === null) return Either.right(systemAssigned)
  const given = (["clientId", "objectId", "resourceId"] as const).filter((k) => options[k] !== undefined)
  if (given.length > 1) {
    return Either.left(
      new InvalidArgument({
        argument: given.join(", "),
        message: `${given.join(" and ")}: give at most one of clientId, objectId and resourceId to select a user-assigned identity`
      })
    )
  }
  const key = given[0]
  if (key === undefined) return Either.right(systemAssigned)
  const value = options[key]
  if (typeof value !== "string" || !idPattern.test(value)) {
    return Either.left(
      new InvalidArgument({
        argument: key,
        message:
          typeof value !== "string"
            ? `${key}: expected a string, got ${value === null ? "null" : typeof value}`
            : `${key}: must be a non-empty id without spaces or control characters`
      })
    )
  }
  if (value.length > 1024) {
    return Either.left(new InvalidArgument({ argument: key, message: `${key}: is longer than 1024 characters` }))
  }
  return Either.right(key === "clientId" ? clientId(value) : key === "objectId" ? objectId(value) : resourceId(value))
}

/**
 * A stable string for an identity, for cache keys and telemetry (ids are not secrets).
 *
 * @since 0.1.0
 * @category conversions
 * @example
 * ```ts
 * import { Identity } from "@managed-identity/core"
 *
 * Identity.key(Identity.clientId("abc")) // "ClientId:abc"
 * ```
 */
export const key = (identity: Identity): string =>
  identity._tag === "SystemAssigned" ? "SystemAssigned" : `${identity._tag}:${identity.id}`

/**
 * A short description for messages: `system-assigned identity` or `user-assigned identity (client id abc)`.
 *
 * @since 0.1.0
 * @category conversions
 * @example
 * ```ts
 * import { Identity } from "@managed-identity/core"
 *
 * Identity.describe(Identity.objectId("x")) // "user-assigned identity (object id x)"
 * ```
 */
export const describe = (identity: Identity): string => {
  switch (identity._tag) {
    case "SystemAssigned":
      return "system-assigned identity"
    case "ClientId":
      return `user-assigned identity (client id ${identity.id})`
    case "ObjectId":
      return `user-assigned identity (object id ${identity.id})`
    case "ResourceId":
      return `user-assigned identity (resource id ${identity.id})`
  }
}
