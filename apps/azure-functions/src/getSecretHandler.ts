// The HTTP function's handler: read one Key Vault secret with the function app's managed identity.
// It answers with the secret's version and a fingerprint, never its value: the point is to show the
// identity working, and a secret should not leave the app.
import { createHash } from "node:crypto"
import type { HttpRequest, HttpResponseInit, InvocationContext } from "@azure/functions"
import { SecretClient, type SecretClientOptions } from "@azure/keyvault-secrets"
import { ManagedIdentity } from "@managed-identity/core"
import { FunctionIdentity, type FunctionIdentityOptions } from "./identity.js"
import { recordAuthError } from "./metrics.js"

export interface GetSecretOptions extends FunctionIdentityOptions {
  /** Extra SecretClient options (the local stand-in vault's CA certificate, for instance). */
  readonly secretClientOptions?: SecretClientOptions | undefined
}

export interface SecretSummary {
  readonly name: string
  readonly version: string | undefined
  readonly updatedOn: string | undefined
  /** The first 16 hex digits of the value's SHA-256: enough to tell values apart, useless to an attacker. */
  readonly fingerprint: string
}

export interface GetSecretHandler {
  (request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit>
  /** Closes the credential (its background refreshes and connections). */
  readonly close: () => Promise<void>
}

// Key Vault's rule for secret names.
const SECRET_NAME = /^[0-9A-Za-z-]{1,127}$/

// By name, as with @azure/identity: the check holds whichever copy of the package threw.
const AUTHENTICATION_FAILURES = new Set(["CredentialUnavailableError", "AuthenticationError", "AbortError"])
const isAuthenticationFailure = (error: unknown): error is Error =>
  error instanceof Error && AUTHENTICATION_FAILURES.has(error.name)

const isLoopback = (url: string): boolean => {
  try {
    return ManagedIdentity.allowLoopbackOnly(new URL(url))
  } catch {
    return false
  }
}

/**
 * One handler per instance: its credential and SecretClient live as long as the instance, so every
 * invocation after the first is answered from the token cache.
 */
export const makeGetSecretHandler = (options: GetSecretOptions = {}): GetSecretHandler => {
  const identity = new FunctionIdentity(options)
  // Mitigation 3, degrade safely: when authentication fails (the circuit breaker is open, or the
  // identity endpoint is not there yet), answer with the last version this instance read.
  const lastKnown = new Map<string, SecretSummary>()
  let client: SecretClient | undefined

  const handler = async (request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> => {
    const name = request.params.name ?? request.query.get("name") ?? ""
    if (!SECRET_NAME.test(name)) {
      return { status: 400, jsonBody: { error: "the secret name must be 1 to 127 letters, digits or dashes" } }
    }
    const vaultUrl = (options.environment ?? process.env).KEY_VAULT_URL
    if (vaultUrl === undefined || vaultUrl === "") {
      context.error("KEY_VAULT_URL is not set in the app settings")
      return { status: 500, jsonBody: { error: "the function app is not configured (KEY_VAULT_URL)" } }
    }
    client ??= new SecretClient(vaultUrl, identity, {
      // Key Vault checks that the vault's host ends in the challenge's resource (vault.azure.net);
      // a stand-in vault on 127.0.0.1 cannot, so the check is off for loopback vaults only.
      disableChallengeResourceVerification: isLoopback(vaultUrl),
      ...options.secretClientOptions
    })
    try {
      const secret = await client.getSecret(name)
      const summary: SecretSummary = {
        name,
        version: secret.properties.version,
        updatedOn: secret.properties.updatedOn?.toISOString(),
        fingerprint: createHash("sha256")
          .update(secret.value ?? "")
          .digest("hex")
          .slice(0, 16)
      }
      lastKnown.set(name, summary)
      return { status: 200, jsonBody: { ...summary, degraded: false } }
    } catch (error) {
      if ((error as { readonly statusCode?: unknown }).statusCode === 404) {
        return { status: 404, jsonBody: { error: `no secret named ${name}` } }
      }
      if (!isAuthenticationFailure(error)) throw error
      recordAuthError(error)
      // The library's messages never contain a token or a secret header: safe to log.
      context.warn(`reading secret ${name}: ${error.name}: ${error.message}`)
      const stale = lastKnown.get(name)
      if (stale !== undefined) {
        return { status: 200, headers: { "x-degraded": "last-known-version" }, jsonBody: { ...stale, degraded: true } }
      }
      return {
        status: 503,
        headers: { "retry-after": "30" },
        jsonBody: { error: "the managed identity is unavailable on this instance; try again shortly" }
      }
    }
  }
  return Object.assign(handler, { close: () => identity.close() })
}
