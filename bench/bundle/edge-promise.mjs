// core + edge, Promise API: the same Worker with the edge ManagedIdentityCredential.
import { ManagedIdentityCredential } from "@managed-identity/edge"

export default {
  async fetch(_request, env) {
    const credential = new ManagedIdentityCredential({ env })
    const token = await credential.getToken("https://management.azure.com/.default")
    return new Response(`token expires at ${token.expiresOnTimestamp}`)
  }
}
