/**
 * The smallest useful Worker: one `getToken` through the edge credential. test/BundleSize.test.ts
 * bundles it as a deployment would and holds its gzipped size to the budget in README.md.
 */
import { ManagedIdentityCredential } from "../../src/index.js"

let credential: ManagedIdentityCredential | undefined

export default {
  async fetch(_request: Request, env: Record<string, unknown>): Promise<Response> {
    credential ??= new ManagedIdentityCredential({ env })
    const { expiresOnTimestamp } = await credential.getToken("https://vault.azure.net/.default")
    return new Response(String(expiresOnTimestamp))
  }
}
