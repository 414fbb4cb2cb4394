/**
 * Run by test/BunManagedIdentity.test.ts under `bun run`, with a proxy configured; prints what
 * the adapter reported, as one JSON line. The setup arrives as an argument.
 */
import { ManagedIdentity } from "@managed-identity/core"
import type * as Suite from "@managed-identity/conformance/Suite"
import { ManagedIdentityCredential } from "../../src/index.js"

const setup = JSON.parse(process.argv[2] ?? "null") as Suite.Setup

const tokenError = async (source: Suite.SourceKey): Promise<string> => {
  const credential = new ManagedIdentityCredential({
    managedIdentity: {
      environment: setup.environments[source],
      endpointGuard: ManagedIdentity.allowLoopbackOnly,
      sourceOptions: { arcKeyDirectory: setup.keyDirectory },
      retry: false
    }
  })
  try {
    await credential.getToken("https://management.azure.com/.default")
    return "no error"
  } catch (error) {
    return `${(error as Error).name}: ${(error as Error).message}`
  } finally {
    await credential.close()
  }
}

console.log(
  JSON.stringify({
    imds: await tokenError("imds"),
    workloadidentity: await tokenError("workloadidentity"),
    arc: await tokenError("arc")
  })
)
