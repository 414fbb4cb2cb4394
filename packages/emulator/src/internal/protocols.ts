/**
 * The managed-identity token endpoints, one function per source: each validates a request the
 * way that Azure endpoint does (same status codes, same error bodies) and answers with its
 * token response shape. They only compute replies; the server writes them.
 */
import type { IncomingHttpHeaders } from "node:http"
import type { LegacyExpiresOn, ManagedIdentity } from "../Emulator.js"
import type { IdentityStore, IdSelector } from "./identities.js"
import { appServiceError, imdsError, json, legacyExpiresOn, type Reply, serviceFabricError } from "./replies.js"
import type { IssuedToken } from "./tokens.js"

/** A request as the protocol functions see it. */
export interface ProtocolRequest {
  readonly method: string
  readonly query: URLSearchParams
  readonly headers: IncomingHttpHeaders
  /** The `application/x-www-form-urlencoded` body, empty when there is none. */
  readonly form: URLSearchParams
}

/** What the protocol functions need from the running emulator. */
export interface ProtocolContext {
  readonly identities: IdentityStore
  readonly issue: (identity: ManagedIdentity, audience: string) => IssuedToken
  readonly secret: string
  readonly tenantId: string
  readonly legacyExpiresOn: LegacyExpiresOn
  readonly missingMetadataError: "invalid_request" | "bad_request_102"
  readonly acceptsResource: (resource: string) => boolean
  /** Writes a fresh Arc key file and returns its path. */
  readonly arcChallenge: () => string
  readonly arcAccepts: (secret: string) => boolean
}

/** A reply, and the identity a token was issued to. */
export interface Outcome {
  readonly reply: Reply
  readonly identity?: ManagedIdentity
}

const reply = (r: Reply): Outcome => ({ reply: r })

const header = (headers: IncomingHttpHeaders, name: string): string | undefined => {
  const value = headers[name]
  return Array.isArray(value) ? value[0] : value
}

type SelectorNames = Readonly<Record<IdSelector["by"], ReadonlyArray<string>>>

/** The id a request selects its identity by; `"multiple"` when it names more than one. */
const selectorOf = (params: URLSearchParams, names: SelectorNames): IdSelector | undefined | "multiple" => {
  const found: Array<IdSelector> = []
  for (const by of ["clientId", "objectId", "resourceId"] as const) {
    for (const name of names[by]) {
      const value = params.get(name)
      if (value !== null && value !== "") found.push({ by, value })
    }
  }
  return found.length > 1 ? "multiple" : found[0]
}

const imdsNames: SelectorNames = { clientId: ["client_id"], objectId: ["object_id"], resourceId: ["msi_res_id"] }
const appServiceNames: SelectorNames = {
  clientId: ["client_id"],
  objectId: ["principal_id", "object_id"],
  resourceId: ["mi_res_id"]
}
const legacyNames: SelectorNames = { clientId: ["clientid"], objectId: [], resourceId: [] }

const resourceNotFound = (resource: string, tenantId: string): string =>
  `AADSTS500011: The resource principal named ${resource} was not found in the tenant named ${tenantId}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant.`

const isoDate = /^\d{4}-\d{2}-\d{2}$/

/** IMDS and Arc answer a missing or unsupported `api-version` with the documented IMDS body. */
const imdsApiVersionError = (version: string | null): Reply =>
  json(400, {
    error:
      version === null
        ? "Bad request. api-version was not specified in the request. For more information refer to aka.ms/azureimds"
        : `Bad request. api-version '${version}' is not supported. For more information refer to aka.ms/azureimds`,
    "newest-versions": ["2021-12-13", "2021-11-15", "2021-11-01"]
  })

/** The IMDS-style success body: every number as a string, as the seed's sample shows. */
const imdsTokenBody = (token: IssuedToken, identity: ManagedIdentity, resource: string) => ({
  access_token: token.accessToken,
  client_id: identity.clientId,
  expires_in: String(token.expiresIn),
  expires_on: String(token.expiresOn),
  ext_expires_in: String(token.expiresIn),
  not_before: String(token.notBefore),
  refresh_token: "",
  resource,
  token_type: "Bearer"
})

const imdsSelectionError = (ctx: ProtocolContext, selector: IdSelector | undefined): Reply | ManagedIdentity => {
  const selection = ctx.identities.select(selector)
  switch (selection._tag) {
    case "Found":
      return selection.identity
    case "Ambiguous":
      return imdsError(
        400,
        "invalid_request",
        "Multiple user assigned identities exist, please specify the clientId / resourceId of the identity in the token request"
      )
    default:
      return imdsError(400, "invalid_request", "Identity not found")
  }
}

const missingMetadata = (ctx: ProtocolContext): Reply =>
  imdsError(400, ctx.missingMetadataError, "Required metadata header not specified")

/** Shared by IMDS and Arc after their own checks: resource, identity, token. */
const imdsLikeToken = (ctx: ProtocolContext, request: ProtocolRequest): Outcome => {
  const resource = request.query.get("resource")
  if (resource === null || resource === "")
    return reply(imdsError(400, "invalid_request", "Required query variable 'resource' is missing"))
  const selector = selectorOf(request.query, imdsNames)
  if (selector === "multiple")
    return reply(imdsError(400, "invalid_request", "Only one of client_id, object_id and msi_res_id may be specified"))
  if (!ctx.acceptsResource(resource))
    return reply(imdsError(400, "invalid_resource", resourceNotFound(resource, ctx.tenantId)))
  const identity = imdsSelectionError(ctx, selector)
  if ("status" in identity) return reply(identity)
  const token = ctx.issue(identity, resource)
  return { reply: json(200, imdsTokenBody(token, identity, resource)), identity }
}

/** IMDS: `GET /metadata/identity/oauth2/token?api-version=…&resource=…` with `Metadata: true`. */
export const imds = (ctx: ProtocolContext, request: ProtocolRequest): Outcome => {
  // The header check comes first: it is what `@azure/identity`'s probe (no header, no query) relies on.
  if (header(request.headers, "metadata") !== "true") return reply(missingMetadata(ctx))
  if (request.method !== "GET") return reply(imdsError(405, "invalid_request", "Only GET requests are supported"))
  const version = request.query.get("api-version")
  if (version === null || !isoDate.test(version) || version < "2018-02-01") return reply(imdsApiVersionError(version))
  return imdsLikeToken(ctx, request)
}

/**
 * Azure Arc: like IMDS, but the first request is answered 401 with
 * `WWW-Authenticate: Basic realm=<key file>`; the retry sends `Authorization: Basic <file contents>`.
 */
export const arc = (ctx: ProtocolContext, request: ProtocolRequest): Outcome => {
  if (header(request.headers, "metadata") !== "true") return reply(missingMetadata(ctx))
  if (request.method !== "GET") return reply(imdsError(405, "invalid_request", "Only GET requests are supported"))
  const version = request.query.get("api-version")
  if (version === null || !isoDate.test(version) || version < "2019-08-15") return reply(imdsApiVersionError(version))
  const authorization = header(request.headers, "authorization")
  const secret = authorization?.startsWith("Basic ") ? authorization.slice("Basic ".length).trim() : undefined
  if (secret === undefined || !ctx.arcAccepts(secret)) {
    const keyFile = ctx.arcChallenge()
    return reply(
      imdsError(
        401,
        "unauthorized",
        secret === undefined
          ? "Authorization header is required"
          : "The secret in the Authorization header is not valid",
        { "www-authenticate": `Basic realm=${keyFile}` }
      )
    )
  }
  return imdsLikeToken(ctx, request)
}

/** Cloud Shell: `POST` with form body `resource=…` and `Metadata: true`; system identity only. */
export const cloudShell = (ctx: ProtocolContext, request: ProtocolRequest): Outcome => {
  if (request.method !== "POST") return reply(imdsError(405, "invalid_request", "Only POST requests are supported"))
  if (header(request.headers, "metadata") !== "true") return reply(missingMetadata(ctx))
  const resource = request.form.get("resource")
  if (resource === null || resource === "")
    return reply(imdsError(400, "invalid_request", "Required form field 'resource' is missing"))
  const names = imdsNames
  if (selectorOf(request.form, names) !== undefined || selectorOf(request.query, names) !== undefined)
    return reply(imdsError(400, "invalid_request", "User-assigned managed identities are not supported in Cloud Shell"))
  if (!ctx.acceptsResource(resource))
    return reply(imdsError(400, "invalid_resource", resourceNotFound(resource, ctx.tenantId)))
  const identity = imdsSelectionError(ctx, undefined)
  if ("status" in identity) return reply(identity)
  const token = ctx.issue(identity, resource)
  return { reply: json(200, imdsTokenBody(token, identity, resource)), identity }
}

const unableToLoad = "Unable to load the proper Managed Identity."

/** The legacy (2017-09-01) body: no `client_id`, `expires_on` as a date string unless configured. */
const legacyTokenBody = (ctx: ProtocolContext, token: IssuedToken, resource: string) => ({
  access_token: token.accessToken,
  expires_on: ctx.legacyExpiresOn === "date" ? legacyExpiresOn(token.expiresOn) : String(token.expiresOn),
  resource,
  token_type: "Bearer"
})

const appServiceToken = (
  ctx: ProtocolContext,
  request: ProtocolRequest,
  names: SelectorNames,
  body: (token: IssuedToken, identity: ManagedIdentity, resource: string) => unknown
): Outcome => {
  const resource = request.query.get("resource")
  if (resource === null || resource === "") return reply(appServiceError(400, "The 'resource' parameter is required."))
  if (!ctx.acceptsResource(resource)) return reply(appServiceError(400, resourceNotFound(resource, ctx.tenantId)))
  const selector = selectorOf(request.query, names)
  if (selector === "multiple") return reply(appServiceError(400, unableToLoad))
  const selection = ctx.identities.select(selector)
  if (selection._tag !== "Found") return reply(appServiceError(400, unableToLoad))
  const token = ctx.issue(selection.identity, resource)
  return { reply: json(200, body(token, selection.identity, resource)), identity: selection.identity }
}

const secretMatches = (ctx: ProtocolContext, value: string | undefined): boolean => value === ctx.secret

/**
 * App Service / Functions: `api-version=2019-08-01` with `X-IDENTITY-HEADER` (ids `client_id`,
 * `principal_id`, `mi_res_id`), or the legacy `2017-09-01` with `secret` (id `clientid`).
 */
export const appService = (ctx: ProtocolContext, request: ProtocolRequest): Outcome => {
  if (request.method !== "GET") return reply(appServiceError(405, "Only GET requests are supported."))
  const version = request.query.get("api-version")
  if (version === "2019-08-01") {
    if (!secretMatches(ctx, header(request.headers, "x-identity-header")))
      return reply(appServiceError(401, "The X-IDENTITY-HEADER header is missing or does not match IDENTITY_HEADER."))
    return appServiceToken(ctx, request, appServiceNames, (token, identity, resource) => ({
      access_token: token.accessToken,
      expires_on: String(token.expiresOn),
      resource,
      token_type: "Bearer",
      client_id: identity.clientId
    }))
  }
  if (version === "2017-09-01") return legacy(ctx, request)
  return reply(
    appServiceError(
      400,
      `The api-version '${version ?? ""}' is not supported. Supported versions are 2019-08-01 and 2017-09-01.`
    )
  )
}

const legacy = (ctx: ProtocolContext, request: ProtocolRequest): Outcome => {
  if (!secretMatches(ctx, header(request.headers, "secret")))
    return reply(appServiceError(401, "The secret header is missing or does not match MSI_SECRET."))
  return appServiceToken(ctx, request, legacyNames, (token, _identity, resource) =>
    legacyTokenBody(ctx, token, resource)
  )
}

/** Azure Machine Learning (and legacy App Service): `api-version=2017-09-01`, header `secret`, id `clientid`. */
export const azureMl = (ctx: ProtocolContext, request: ProtocolRequest): Outcome => {
  if (request.method !== "GET") return reply(appServiceError(405, "Only GET requests are supported."))
  const version = request.query.get("api-version")
  if (version !== "2017-09-01")
    return reply(
      appServiceError(400, `The api-version '${version ?? ""}' is not supported. Supported version is 2017-09-01.`)
    )
  return legacy(ctx, request)
}

/** Service Fabric: HTTPS, `api-version=2019-07-01-preview`, header `secret`. */
export const serviceFabric = (ctx: ProtocolContext, request: ProtocolRequest): Outcome => {
  if (request.method !== "GET") return reply(serviceFabricError(405, "MethodNotAllowed", "Only GET is supported."))
  const secret = header(request.headers, "secret")
  if (secret === undefined || secret === "")
    return reply(serviceFabricError(400, "SecretHeaderNotFound", "Secret is not found in the request headers."))
  if (!secretMatches(ctx, secret))
    return reply(serviceFabricError(401, "SecretHeaderInvalid", "The secret in the request headers is not valid."))
  const version = request.query.get("api-version")
  if (version !== "2019-07-01-preview")
    return reply(
      serviceFabricError(
        400,
        "InvalidApiVersion",
        `The api-version '${version ?? ""}' is not supported. Supported version is '2019-07-01-preview'.`
      )
    )
  const resource = request.query.get("resource")
  if (resource === null || resource === "")
    return reply(
      serviceFabricError(400, "ArgumentNullOrEmpty", "The parameter 'resource' cannot be null or empty string.")
    )
  if (!ctx.acceptsResource(resource))
    return reply(serviceFabricError(400, "InvalidResource", resourceNotFound(resource, ctx.tenantId)))
  const selector = selectorOf(request.query, appServiceNames)
  const selection = selector === "multiple" ? undefined : ctx.identities.select(selector)
  if (selection?._tag !== "Found")
    return reply(
      serviceFabricError(
        400,
        "ManagedIdentityNotFound",
        "Managed Identity not found for the specified application host."
      )
    )
  const token = ctx.issue(selection.identity, resource)
  return {
    reply: json(200, {
      token_type: "Bearer",
      access_token: token.accessToken,
      expires_on: token.expiresOn,
      resource
    }),
    identity: selection.identity
  }
}
