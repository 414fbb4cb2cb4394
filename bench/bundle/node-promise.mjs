// core + node, Promise API: what a Node service ships to get a token for an Azure SDK client. run.mjs
// bundles this text with the specifier replaced by the import the documentation shows at the time.
import { ManagedIdentityCredential } from "@managed-identity/node"

const credential = new ManagedIdentityCredential()
const token = await credential.getToken("https://management.azure.com/.default")
console.log(`token expires at ${token.expiresOnTimestamp}`)
