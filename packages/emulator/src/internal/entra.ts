/**
 * Entra's token endpoint for workload identity (client-credentials grant with a federated
 * client assertion), its discovery documents, and the federated (service-account) tokens the
 * emulator mints for it, like an AKS cluster's OIDC issuer.
 *
 * Assertion rule: the assertion must be a well-formed, unexpired JWT whose `aud` holds the
 * credential's audience (`api://AzureADTokenExchange`). If the identity has federated credentials
 * configured, its (`iss`, `sub`, `aud`) must match one of them; otherwise it must be issued by the
 * emulator itself. Whenever the issuer is the emulator, the signature is verified against its key;
 * foreign issuers' signatures are not checked (the emulator never fetches anything from the network).
 */
import { randomBytes } from "node:crypto"
import type { ManagedIdentity } from "../Emulator.js"
import type { IdentityStore } from "./identities.js"
import { tokenExchangeAudience } from "./identities.js"
import { decodeJwt, type PublicJwk, type SigningKey, signJwt, verifyJwt } from "./jwt.js"
import { entraError, json, type Reply } from "./replies.js"
import type { IssuedToken } from "./tokens.js"

export interface EntraContext {
  readonly identities: IdentityStore
  readonly tenantId: string
  readonly key: SigningKey
  /** The issuer of the federated tokens the emulator mints (`<url>/oidc`). */
  readonly federatedIssuer: string
  readonly issue: (identity: ManagedIdentity, audience: string) => IssuedToken
  readonly acceptsResource: (resource: string) => boolean
  readonly now: () => number
}

export interface EntraOutcome {
  readonly reply: Reply
  readonly identity?: ManagedIdentity
}

/** The JWKS of the emulator's signing key. */
export const jwks = (jwk: PublicJwk) => ({ keys: [jwk] })

const jwtBearer = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
const clockSkewSeconds = 300

const audiences = (aud: unknown): ReadonlyArray<string> =>
  typeof aud === "string" ? [aud] : Array.isArray(aud) ? aud.filter((a): a is string => typeof a === "string") : []

/** `POST /{tenant}/oauth2/v2.0/token`. */
export const token = (ctx: EntraContext, tenant: string, method: string, form: URLSearchParams): EntraOutcome => {
  const now = ctx.now()
  const fail = (status: number, error: string, code: number, message: string): EntraOutcome => ({
    reply: entraError(status, error, code, message, now)
  })
  if (method !== "POST")
    return fail(405, "invalid_request", 900561, "The endpoint only accepts POST requests. Received a GET request.")
  if (tenant.toLowerCase() !== ctx.tenantId.toLowerCase())
    return fail(
      400,
      "invalid_request",
      90002,
      `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`
    )
  const grantType = form.get("grant_type")
  if (grantType !== "client_credentials")
    return grantType === null
      ? fail(400, "invalid_request", 900144, "The request body must contain the following parameter: 'grant_type'.")
      : fail(400, "unsupported_grant_type", 70003, `The app requested an unsupported grant type '${grantType}'.`)
  const clientId = form.get("client_id")
  if (clientId === null || clientId === "")
    return fail(400, "invalid_request", 900144, "The request body must contain the following parameter: 'client_id'.")
  const scope = form.get("scope")
  if (scope === null || scope.trim() === "")
    return fail(400, "invalid_request", 900144, "The request body must contain the following parameter: 'scope'.")
  const assertion = form.get("client_assertion")
  if (assertion === null || assertion === "")
    return fail(
      401,
      "invalid_client",
      7000216,
      "'client_assertion', 'client_secret' or 'request' is required for the 'client_credentials' grant type."
    )
  if (form.get("client_assertion_type") !== jwtBearer)
    return fail(
      400,
      "invalid_request",
      50027,
      `JWT token is invalid or malformed: client_assertion_type must be '${jwtBearer}'.`
    )
  const identity = ctx.identities.byClientId(clientId)
  if (identity === undefined)
    return fail(
      400,
      "unauthorized_client",
      700016,
      `Application with identifier '${clientId}' was not found in the directory '${ctx.tenantId}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`
    )

  const decoded = decodeJwt(assertion)
  if (decoded === undefined) return fail(400, "invalid_client", 50027, "JWT token is invalid or malformed.")
  const { iss, sub, exp, nbf } = decoded.payload
  const aud = audiences(decoded.payload.aud)
  const nowSeconds = Math.floor(now / 1000)
  if (typeof exp !== "number" || exp <= nowSeconds || (typeof nbf === "number" && nbf > nowSeconds + clockSkewSeconds))
    return fail(
      400,
      "invalid_client",
      700024,
      `Client assertion is not within its valid time range. Current time: ${new Date(now).toISOString()}, expiry time of assertion ${typeof exp === "number" ? new Date(exp * 1000).toISOString() : "(none)"}.`
    )
  const noMatch = () =>
    fail(
      400,
      "invalid_client",
      70021,
      `No matching federated identity record found for presented assertion. Assertion Issuer: '${String(iss)}'. Assertion Subject: '${String(sub)}'. Assertion Audience: '${aud.join(",")}'.`
    )
  const matches =
    identity.federatedCredentials.length > 0
      ? identity.federatedCredentials.some(
          (credential) =>
            credential.issuer === iss && credential.subject === sub && aud.includes(credential.audience ?? "")
        )
      : iss === ctx.federatedIssuer && aud.includes(tokenExchangeAudience)
  if (!matches) return noMatch()
  if (iss === ctx.federatedIssuer && !verifyJwt(decoded, ctx.key.jwk))
    return fail(400, "invalid_client", 700027, "Client assertion failed signature validation.")

  const scopes = scope.split(" ").filter((s) => s !== "")
  const [only] = scopes
  if (scopes.length !== 1 || only === undefined)
    return fail(
      400,
      "invalid_scope",
      70011,
      `The provided request must include a 'scope' input parameter. The provided value for the input parameter 'scope' is not valid. The scope ${scope} is not valid.`
    )
  if (!only.endsWith("/.default"))
    return fail(
      400,
      "invalid_scope",
      1002012,
      `The provided value for scope ${only} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`
    )
  const resource = only.slice(0, -"/.default".length)
  if (!ctx.acceptsResource(resource))
    return fail(
      400,
      "invalid_resource",
      500011,
      `The resource principal named ${resource} was not found in the tenant named ${ctx.tenantId}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant.`
    )
  const issued = ctx.issue(identity, resource)
  return {
    reply: json(
      200,
      {
        token_type: "Bearer",
        expires_in: issued.expiresIn,
        ext_expires_in: issued.expiresIn,
        access_token: issued.accessToken
      },
      { "x-ms-request-id": randomBytes(16).toString("hex") }
    ),
    identity
  }
}

/** Entra's v2.0 OpenID configuration for a tenant, with endpoints on this emulator. */
export const openIdConfiguration = (ctx: EntraContext, base: string, tenant: string) => ({
  token_endpoint: `${base}/${tenant}/oauth2/v2.0/token`,
  token_endpoint_auth_methods_supported: ["client_secret_post", "private_key_jwt", "client_secret_basic"],
  jwks_uri: `${base}/${tenant}/discovery/v2.0/keys`,
  response_modes_supported: ["query", "fragment", "form_post"],
  subject_types_supported: ["pairwise"],
  id_token_signing_alg_values_supported: ["RS256"],
  response_types_supported: ["code", "id_token", "code id_token", "id_token token"],
  scopes_supported: ["openid", "profile", "email", "offline_access"],
  issuer: `${base}/${ctx.tenantId}/v2.0`,
  request_uri_parameter_supported: false,
  authorization_endpoint: `${base}/${tenant}/oauth2/v2.0/authorize`,
  device_authorization_endpoint: `${base}/${tenant}/oauth2/v2.0/devicecode`,
  end_session_endpoint: `${base}/${tenant}/oauth2/v2.0/logout`,
  tenant_region_scope: "WW",
  cloud_instance_name: "microsoftonline.com"
})

/** MSAL's instance discovery answer: this emulator is its own, only alias. */
export const instanceDiscovery = (base: string, tenant: string) => {
  const host = new URL(base).host
  return {
    tenant_discovery_endpoint: `${base}/${tenant}/v2.0/.well-known/openid-configuration`,
    "api-version": "1.1",
    metadata: [{ preferred_network: host, preferred_cache: host, aliases: [host] }]
  }
}

/** The OIDC configuration of the emulator's federated-token issuer (like an AKS cluster's). */
export const issuerConfiguration = (ctx: EntraContext) => ({
  issuer: ctx.federatedIssuer,
  jwks_uri: `${ctx.federatedIssuer}/keys`,
  response_types_supported: ["id_token"],
  subject_types_supported: ["public"],
  id_token_signing_alg_values_supported: ["RS256"]
})

/** Options for a federated token. */
export interface FederatedTokenClaims {
  readonly subject: string
  readonly audience: string
  readonly lifetimeSeconds: number
}

/** A service-account-style token from the emulator's issuer, for `client_assertion`. */
export const mintFederatedToken = (ctx: EntraContext, claims: FederatedTokenClaims): string => {
  const iat = Math.floor(ctx.now() / 1000)
  return signJwt(ctx.key, {
    aud: [claims.audience],
    exp: iat + claims.lifetimeSeconds,
    iat,
    iss: ctx.federatedIssuer,
    nbf: iat,
    sub: claims.subject,
    "kubernetes.io": { namespace: "default", serviceaccount: { name: "workload-identity-sa" } }
  })
}
