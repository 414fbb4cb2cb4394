/**
 * Resources: what a managed-identity token is for. The protocol takes one `resource` (an App ID
 * URI such as `https://management.azure.com/`, or an application id); the `TokenCredential`
 * contract passes scopes (`https://management.azure.com/.default`). This module turns one into
 * the other and refuses anything that could not be a URI.
 *
 * @since 0.1.0
 */
import * as Brand from "effect/Brand"
import * as Either from "effect/Either"
import { InvalidArgument } from "./ManagedIdentityError.js"

/**
 * A validated resource identifier, ready to be sent as the `resource` query value.
 *
 * @since 0.1.0
 * @category models
 */
export type Resource = string & Brand.Brand<"@managed-identity/core/Resource">

const unsafe = Brand.nominal<Resource>()

// RFC 3986 characters only: unreserved, reserved and percent. Anything else (spaces, quotes,
// angle brackets, control characters, non-ASCII) cannot be part of a resource URI.
const uriCharacters = /^[A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=%]+$/
// `https://…`, `api://…`, or a bare application id (GUID-like: letters, digits, dashes, dots).
const schemePrefix = /^[A-Za-z][A-Za-z0-9+.-]*:/
const applicationId = /^[A-Za-z0-9][A-Za-z0-9\-._]*$/

const DEFAULT_SUFFIX = "/.default"

const invalid = (argument: string, message: string) => Either.left(new InvalidArgument({ argument, message }))

/**
 * Validates one resource string. Strips one trailing `/.default` (so a scope is accepted too),
 * rejects empty values and characters that cannot be in a URI.
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import * as Either from "effect/Either"
 * import { Resource } from "@managed-identity/core"
 *
 * const r = Resource.make("https://vault.azure.net/.default")
 * console.log(Either.getOrThrow(r)) // "https://vault.azure.net"
 * ```
 */
export const make = (input: string, argument = "resource"): Either.Either<Resource, InvalidArgument> => {
  if (typeof input !== "string") {
    return invalid(argument, `${argument}: expected a string, got ${input === null ? "null" : typeof input}`)
  }
  let value = input.trim()
  if (value.endsWith(DEFAULT_SUFFIX)) value = value.slice(0, -DEFAULT_SUFFIX.length)
  if (value.length === 0) {
    return invalid(argument, `${argument}: must not be empty (give a resource such as https://management.azure.com/)`)
  }
  if (value.length > 2048) {
    return invalid(argument, `${argument}: is ${value.length} characters long; a resource URI is at most 2048`)
  }
  if (!uriCharacters.test(value)) {
    return invalid(
      argument,
      `${argument}: "${describe(value)}" contains characters that are not allowed in a URI (spaces, quotes, control or non-ASCII characters)`
    )
  }
  if (!schemePrefix.test(value) && !applicationId.test(value)) {
    return invalid(
      argument,
      `${argument}: "${describe(value)}" is neither an absolute URI (https://…, api://…) nor an application id`
    )
  }
  return Either.right(unsafe(value))
}

/**
 * Maps `TokenCredential` scopes to the one resource managed identity takes: exactly one scope,
 * with one trailing `/.default` removed.
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import * as Either from "effect/Either"
 * import { Resource } from "@managed-identity/core"
 *
 * Either.getOrThrow(Resource.fromScopes(["https://management.azure.com/.default"]))
 * // "https://management.azure.com"
 * Either.isLeft(Resource.fromScopes(["https://a/.default", "https://b/.default"])) // true
 * ```
 */
export const fromScopes = (scopes: string | ReadonlyArray<string>): Either.Either<Resource, InvalidArgument> => {
  if (typeof scopes === "string") return make(scopes, "scopes")
  if (!Array.isArray(scopes)) {
    return invalid("scopes", `scopes: expected a string or an array of one string, got ${typeof scopes}`)
  }
  if (scopes.length !== 1) {
    return invalid(
      "scopes",
      scopes.length === 0
        ? "scopes: no scope given; managed identity takes exactly one scope"
        : `scopes: managed identity takes exactly one scope, got ${scopes.length}`
    )
  }
  return make(scopes[0] as string, "scopes")
}

/**
 * The OAuth 2.0 scope for a resource (`<resource>/.default`), as the Entra token endpoint
 * wants it for workload identity.
 *
 * @since 0.1.0
 * @category conversions
 * @example
 * ```ts
 * import * as Either from "effect/Either"
 * import { Resource } from "@managed-identity/core"
 *
 * Resource.toScope(Either.getOrThrow(Resource.make("https://management.azure.com/")))
 * // "https://management.azure.com/.default"
 * ```
 */
export const toScope = (resource: Resource): string =>
  resource.endsWith("/") ? `${resource}.default` : `${resource}${DEFAULT_SUFFIX}`

// Error messages quote the caller's input; keep them short and printable.
const describe = (value: string): string => {
  const printable = value.replace(/[^\x20-\x7e]/g, "?")
  return printable.length > 80 ? `${printable.slice(0, 77)}...` : printable
}
