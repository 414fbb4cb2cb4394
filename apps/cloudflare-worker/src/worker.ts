// A Cloudflare Worker (module syntax) that calls Azure Resource Manager with a managed-identity
// token from @managed-identity/edge. A Worker has no process.env: the identity endpoint's
// variables arrive as bindings (secrets), e.g. when workerd runs on Azure Container Apps or App
// Service, which inject IDENTITY_ENDPOINT and IDENTITY_HEADER. The credential lives at module scope,
// so every request an isolate serves shares its token cache.
//
// This example runs against the local emulator only: it refuses any endpoint binding that is not
// on 127.0.0.1, and the credential's endpoint guard checks again. Deploying: delete `assertLocal`
// and the `endpointGuard` line.
import { ManagedIdentity } from "@managed-identity/core"
import { ManagedIdentityCredential } from "@managed-identity/edge"

export interface Env {
  /** Where Azure Resource Manager is (the stand-in's URL here); default https://management.azure.com. */
  readonly ARM_ENDPOINT?: string
  /** A user-assigned identity's client id, if any. */
  readonly AZURE_CLIENT_ID?: string
  /** IDENTITY_ENDPOINT, IDENTITY_HEADER, ...: the source's variables, as bindings. */
  readonly [binding: string]: unknown
}

const ARM_SCOPE = "https://management.azure.com/.default"
const ENDPOINT_BINDINGS = [
  "IDENTITY_ENDPOINT",
  "MSI_ENDPOINT",
  "IMDS_ENDPOINT",
  "AZURE_POD_IDENTITY_AUTHORITY_HOST",
  "AZURE_AUTHORITY_HOST",
  "ARM_ENDPOINT"
]

let credential: ManagedIdentityCredential | undefined

/** Fail closed: the name of the first endpoint binding that is not on 127.0.0.1, if any. */
const assertLocal = (env: Env): string | undefined =>
  ENDPOINT_BINDINGS.find((name) => {
    const value = env[name]
    if (value === undefined) return name === "ARM_ENDPOINT"
    return typeof value !== "string" || !URL.canParse(value) || !ManagedIdentity.allowLoopbackOnly(new URL(value))
  })

/** The claims of a JWT, decoded (not verified: the resource server verifies it). */
const claimsOf = (token: string): Record<string, unknown> => {
  try {
    return JSON.parse(atob((token.split(".")[1] ?? "").replace(/-/g, "+").replace(/_/g, "/"))) as Record<
      string,
      unknown
    >
  } catch {
    return {}
  }
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const refused = assertLocal(env)
    if (refused !== undefined) {
      return Response.json({ error: `${refused} must point at 127.0.0.1 for this example` }, { status: 500 })
    }
    credential ??= new ManagedIdentityCredential({
      env,
      clientId: env.AZURE_CLIENT_ID || undefined,
      managedIdentity: { endpointGuard: ManagedIdentity.allowLoopbackOnly }
    })

    let token: string
    try {
      token = (await credential.getToken(ARM_SCOPE)).token
    } catch (error) {
      // CredentialUnavailableError, AuthenticationError: the message says why and never holds a secret.
      const { name, message } = error instanceof Error ? error : new Error(String(error))
      return Response.json({ error: name, message }, { status: 503 })
    }
    const claims = claimsOf(token)

    const path = new URL(request.url).pathname
    if (path === "/whoami") {
      return Response.json({ objectId: claims.oid, tenantId: claims.tid, audience: claims.aud })
    }
    if (path === "/resource") {
      // The resource this identity belongs to, read from ARM with the token.
      const resourceId = String(claims.xms_mirid ?? "")
      const response = await fetch(new URL(`${resourceId}?api-version=2024-07-01`, env.ARM_ENDPOINT), {
        headers: { Authorization: `Bearer ${token}` }
      })
      return new Response(response.body, { status: response.status, headers: { "content-type": "application/json" } })
    }
    return Response.json({ routes: ["/whoami", "/resource"] }, { status: 404 })
  }
}
