/**
 * The smallest useful Worker: one `getToken` through the edge credential, imported as users import
 * it (the package root, as built: the package's own build runs before its tests, turbo.json).
 * test/BundleSize.test.ts bundles it as a deployment would and holds its gzipped size to the budget
 * in README.md.
 */
import { ManagedIdentityCredential } from "@managed-identity/edge"

let credential: ManagedIdentityCredential | undefined

export default {
  async fetch(_request: Request, env: Record<string, unknown>): Promise<Response> {
    credential ??= new ManagedIdentityCredential({ env })
    const { expiresOnTimestamp } = await credential.getToken("https://vault.azure.net/.default")
    return new Response(String(expiresOnTimestamp))
  }
}
