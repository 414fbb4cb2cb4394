/**
 * Which managed identity to ask for: the host's system-assigned identity, or a user-assigned one
 * selected by client id, object (principal) id or ARM resource id. An id is validated once, when
 * the `Identity` is made (visible ASCII, 1 to 1024 characters), and carried as a branded `Id`, so
 * no source validates it again; each source maps the kinds to its own parameter names, or refuses
 * the ones it cannot select (its descriptor's `identities`).
 *
 * @since 0.1.0
 */
import type * as Brand from "effect/Brand"
import * as Either from "effect/Either"
import { InvalidArgument } from "./ManagedIdentityError.js"

/**
 * A validated identity id: visible ASCII only (no spaces, no control characters), 1 to 1024
 * characters. Made only by this module's constructors.
 *
 * @since 0.1.0
 * @category models
 */
export type Id = string & Brand.Brand<"@managed-identity/core/Identity/Id">

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
  readonly id: Id
}

/**
 * A user-assigned identity selected by its object (principal) id.
 *
 * @since 0.1.0
 * @category models
 */
export interface ObjectId {
  readonly _tag: "ObjectId"
  readonly id: Id
}

/**
 * A user-assigned identity selected by its ARM resource id.
 *
 * @since 0.1.0
 * @category models
 */
export interface ResourceId {
  readonly _tag: "ResourceId"
  readonly id: Id
}

/**
 * A managed identity.
 *
 * @since 0.1.0
 * @category models
 */
export type Identity = SystemAssigned | ClientId | ObjectId | ResourceId

/**
 * The kinds of user-assigned identity.
 *
 * @since 0.1.0
 * @category models
 */
export type UserAssigned = ClientId | ObjectId | ResourceId

/**
 * The system-assigned identity.
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import { Identity } from "@managed-identity/core"
 *
 * Identity.describe(Identity.systemAssigned) // "system-assigned identity"
 * ```
 */
export const systemAssigned: Identity = Object.freeze({ _tag: "SystemAssigned" })

const MAX_ID_LENGTH = 1024
const visibleAscii = /^[\x21-\x7e]+$/

/**
 * Validates an id: `InvalidArgument` naming `argument` when it is not a string, is empty, holds
 * a space, a control or a non-ASCII character, or is longer than 1024 characters. No real id does.
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import * as Either from "effect/Either"
 * import { Identity } from "@managed-identity/core"
 *
 * Either.isLeft(Identity.id("a b", "clientId")) // true
 * ```
 */
export const id = (value: unknown, argument: string): Either.Either<Id, InvalidArgument> => {
  if (typeof value !== "string") {
    return Either.left(
      new InvalidArgument({
        argument,
        message: `${argument}: expected a string, got ${value === null ? "null" : typeof value}`
      })
    )
  }
  if (!visibleAscii.test(value)) {
    return Either.left(
      new InvalidArgument({
        argument,
        message: `${argument}: must be a non-empty id without spaces or control characters`
      })
    )
  }
  if (value.length > MAX_ID_LENGTH) {
    return Either.left(
      new InvalidArgument({ argument, message: `${argument}: is longer than ${MAX_ID_LENGTH} characters` })
    )
  }
  return Either.right(value as Id)
}

/**
 * A user-assigned identity selected by client id.
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import * as Either from "effect/Either"
 * import { Identity } from "@managed-identity/core"
 *
 * const identity = Either.getOrThrow(Identity.clientId("00000000-0000-0000-0000-000000000001"))
 * ```
 */
export const clientId = (value: string): Either.Either<Identity, InvalidArgument> =>
  Either.map(id(value, "clientId"), (id): Identity => ({ _tag: "ClientId", id }))

/**
 * A user-assigned identity selected by object (principal) id.
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import * as Either from "effect/Either"
 * import { Identity } from "@managed-identity/core"
 *
 * const identity = Either.getOrThrow(Identity.objectId("00000000-0000-0000-0000-0000000000b1"))
 * ```
 */
export const objectId = (value: string): Either.Either<Identity, InvalidArgument> =>
  Either.map(id(value, "objectId"), (id): Identity => ({ _tag: "ObjectId", id }))

/**
 * A user-assigned identity selected by ARM resource id.
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import * as Either from "effect/Either"
 * import { Identity } from "@managed-identity/core"
 *
 * const identity = Either.getOrThrow(
 *   Identity.resourceId("/subscriptions/s/resourcegroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/u")
 * )
 * ```
 */
export const resourceId = (value: string): Either.Either<Identity, InvalidArgument> =>
  Either.map(id(value, "resourceId"), (id): Identity => ({ _tag: "ResourceId", id }))

/**
 * `@azure/identity`'s way of naming an identity: at most one of `clientId`, `objectId`,
 * `resourceId`.
 *
 * @since 0.1.0
 * @category models
 */
export interface IdentityOptions {
  readonly clientId?: string | undefined
  readonly objectId?: string | undefined
  readonly resourceId?: string | undefined
}

/**
 * The identity named by options: system-assigned when none is given; `InvalidArgument` when more
 * than one is given or the id is not valid.
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import { Identity } from "@managed-identity/core"
 *
 * Identity.fromOptions({ clientId: "00000000-0000-0000-0000-000000000001" })
 * // Right({ _tag: "ClientId", id: "00000000-0000-0000-0000-000000000001" })
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
  const value: unknown = options[key]
  return Either.map(
    id(value, key),
    (id): Identity =>
      key === "clientId"
        ? { _tag: "ClientId", id }
        : key === "objectId"
          ? { _tag: "ObjectId", id }
          : { _tag: "ResourceId", id }
  )
}

/**
 * A stable key for caches.
 *
 * @since 0.1.0
 * @category accessors
 * @example
 * ```ts
 * import { Identity } from "@managed-identity/core"
 *
 * Identity.key(Identity.systemAssigned) // "SystemAssigned"
 * ```
 */
export const key = (identity: Identity): string =>
  identity._tag === "SystemAssigned" ? "SystemAssigned" : `${identity._tag}:${identity.id}`

/**
 * The identity in words, for messages (ids are not secrets).
 *
 * @since 0.1.0
 * @category accessors
 * @example
 * ```ts
 * import { Identity } from "@managed-identity/core"
 *
 * Identity.describe(Identity.systemAssigned) // "system-assigned identity"
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
