/**
 * Endpoints named by the environment: parsed once, checked, and printed without their query
 * string or credentials. The one loopback check of the package lives here.
 *
 * @internal
 */
import * as Either from "effect/Either"
import { InvalidArgument } from "../ManagedIdentityError.js"
import { quote, safeUrl, stripQuery } from "./sourceSecrets.js"

/**
 * Whether a host is the loopback interface: `localhost`, 127.0.0.0/8 or `[::1]`.
 *
 * @internal
 */
export const isLoopback = (url: URL): boolean => {
  const host = url.hostname.toLowerCase()
  return host === "localhost" || host === "[::1]" || /^127(?:\.\d{1,3}){3}$/.test(host)
}

/**
 * Reads an endpoint URL from an environment variable: absolute, http or https, no credentials.
 *
 * @internal
 */
export const fromVariable = (variable: string, value: string): Either.Either<URL, InvalidArgument> => {
  const url = safeUrl(value.trim())
  const invalid = (why: string) =>
    Either.left(
      new InvalidArgument({
        argument: variable,
        message: `${variable}: "${quote(stripQuery(value), [], 120)}" ${why}`
      })
    )
  if (url === undefined) return invalid("is not a valid absolute URL")
  if (url.protocol !== "http:" && url.protocol !== "https:") return invalid("must be an http:// or https:// URL")
  if (url.username !== "" || url.password !== "") return invalid("must not contain a user name or password")
  url.hash = ""
  return Either.right(url)
}

/**
 * The endpoint as a source prints it: scheme, host and path.
 *
 * @internal
 */
export const printable = (url: URL): string => stripQuery(url.toString())

/**
 * The `check` of an endpoint variable (`VariableUse.check`): what `doctor` says when the value
 * cannot be used.
 *
 * @internal
 */
export const check =
  (variable: string) =>
  (value: string): string | undefined =>
    Either.isLeft(fromVariable(variable, value))
      ? `${variable} is not a valid http(s) URL without credentials: the library refuses to use it`
      : undefined

/**
 * An endpoint that receives a secret header must be on this machine: App Service, Functions,
 * Container Apps, Azure ML, Cloud Shell and Azure Arc always serve tokens on loopback, and a
 * variable pointing elsewhere would send the secret off the machine. `allowNonLocal` (a code-level
 * option, `sourceOptions.allowNonLocalEndpoint`) lifts the rule for a host that needs it.
 *
 * @internal
 */
export const local = (
  variable: string,
  url: URL,
  allowNonLocal: boolean | undefined
): Either.Either<URL, InvalidArgument> =>
  allowNonLocal === true || isLoopback(url)
    ? Either.right(url)
    : Either.left(
        new InvalidArgument({
          argument: variable,
          message: `${variable}: ${printable(url)} is not on this machine (localhost, 127.0.0.0/8 or [::1]), where this source's endpoint always is; nothing was sent, so its secret stays here (set sourceOptions.allowNonLocalEndpoint if this host really serves tokens elsewhere)`
        })
      )

/**
 * An endpoint reached over TLS (Service Fabric's, whose certificate is pinned).
 *
 * @internal
 */
export const https = (variable: string, url: URL): Either.Either<URL, InvalidArgument> =>
  url.protocol === "https:"
    ? Either.right(url)
    : Either.left(
        new InvalidArgument({
          argument: variable,
          message: `${variable}: ${printable(url)} must be an https:// URL: the token service's certificate is pinned by thumbprint, and its secret never goes over plain HTTP`
        })
      )

/**
 * The refusal of a source whose endpoint the configured guard does not allow (a guard that throws
 * allows nothing), as both drivers report it; `undefined` when allowed or unguarded.
 *
 * @internal
 */
export const guardRefusal = (
  guard: ((endpoint: URL) => boolean) | undefined,
  source: { readonly name: string; readonly endpoint: string }
): InvalidArgument | undefined => {
  if (guard === undefined) return undefined
  let allowed = false
  try {
    allowed = guard(new URL(source.endpoint))
  } catch {
    allowed = false
  }
  return allowed
    ? undefined
    : new InvalidArgument({
        argument: "endpointGuard",
        message: `${source.name}: the endpoint ${source.endpoint} is not allowed by the endpoint guard; no request was sent`
      })
}
