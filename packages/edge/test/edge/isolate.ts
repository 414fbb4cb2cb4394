/**
 * A Worker as users write one: the credential lives at module scope, built from the Worker's own
 * bindings on the first request, so every request the isolate serves shares its token cache.
 */
import { ManagedIdentity } from "@managed-identity/core"
import { ManagedIdentityCredential } from "../../src/index.js"

let credential: ManagedIdentityCredential | undefined
let built = 0

export default {
  async fetch(_request: Request, env: Record<string, unknown>): Promise<Response> {
    if (credential === undefined) {
      built++
      credential = new ManagedIdentityCredential({
        env,
        managedIdentity: { endpointGuard: ManagedIdentity.allowLoopbackOnly }
      })
    }
    const token = await credential.getToken("https://vault.azure.net/.default")
    // The token itself never leaves the Worker: only a digest of it, to compare across requests.
    const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(token.token)))
    return Response.json({
      built,
      digest: Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join(""),
      expiresOnTimestamp: token.expiresOnTimestamp
    })
  }
}
