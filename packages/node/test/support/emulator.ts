/**
 * The emulator for the Node adapter's integration tests, with a guard: every variable that names an
 * endpoint must point at loopback before any credential is built, so a misconfigured test fails
 * closed instead of reaching a real metadata service.
 */
import { createPublicKey, verify } from "node:crypto"
import { Emulator } from "@managed-identity/emulator"
import { ManagedIdentity } from "@managed-identity/core"
import { ManagedIdentityCredential, type ManagedIdentityCredentialOptions } from "../../src/index.js"

const ENDPOINT_VARIABLES = [
  "AZURE_POD_IDENTITY_AUTHORITY_HOST",
  "IDENTITY_ENDPOINT",
  "MSI_ENDPOINT",
  "IMDS_ENDPOINT",
  "AZURE_AUTHORITY_HOST"
]

export const assertLoopbackOnly = (variables: Readonly<Record<string, string | undefined>>) => {
  for (const name of ENDPOINT_VARIABLES) {
    const value = variables[name]
    if (value === undefined) continue
    const url = new URL(value)
    if (!ManagedIdentity.allowLoopbackOnly(url)) throw new Error(`${name} is not a loopback URL: ${value}`)
  }
  return variables
}

export const USER = {
  clientId: "5f9c6e1a-0000-4000-8000-00000000c11e",
  objectId: "5f9c6e1a-0000-4000-8000-0000000000b1",
  resourceId:
    "/subscriptions/00000000-0000-0000-0000-000000000000/resourcegroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/app-identity"
}

export const startEmulator = (options: Emulator.EmulatorOptions = {}): Promise<Emulator.Emulator> =>
  Emulator.start({
    identities: [{ kind: "system" }, { kind: "user", name: "app-identity", ...USER }],
    ...options
  })

/**
 * A Node credential pointed at one of the emulator's sources, with a fast retry policy. It keeps its
 * own token cache unless `sharedTokenCache: true` is passed: these tests count the requests each
 * credential makes (the tests of sharing opt in).
 */
export const credentialFor = (
  emulator: Emulator.Emulator,
  source: Emulator.Source,
  options: ManagedIdentityCredentialOptions = {}
) =>
  new ManagedIdentityCredential({
    sharedTokenCache: false,
    ...options,
    managedIdentity: {
      environment: assertLoopbackOnly(emulator.envFor(source)),
      endpointGuard: ManagedIdentity.allowLoopbackOnly,
      sourceOptions: { arcKeyDirectory: emulator.keyDirectory },
      retry: { delta: 5, maxDelay: 50, jitter: 0, goneWindow: 1000 },
      ...options.managedIdentity
    }
  })

/** Verifies an RS256 JWT with the emulator's JWKS and returns its claims. */
export const verifiedClaims = (emulator: Emulator.Emulator, token: string): Record<string, unknown> => {
  const [header, payload, signature] = token.split(".")
  if (!header || !payload || !signature) throw new Error("not a JWT")
  const { kid } = JSON.parse(Buffer.from(header, "base64url").toString()) as { kid?: string }
  const jwk = emulator.jwks.keys.find((key) => key.kid === kid) ?? emulator.jwks.keys[0]
  if (jwk === undefined) throw new Error("no key in the emulator's JWKS")
  const key = createPublicKey({ key: jwk as any, format: "jwk" })
  const valid = verify("RSA-SHA256", Buffer.from(`${header}.${payload}`), key, Buffer.from(signature, "base64url"))
  if (!valid) throw new Error("the token's signature does not verify with the emulator's JWKS")
  return JSON.parse(Buffer.from(payload, "base64url").toString()) as Record<string, unknown>
}
