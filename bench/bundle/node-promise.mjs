// core + node, Promise API: what a Node service ships to get a token for an Azure SDK client.
import { ManagedIdentityCredential } from "@managed-identity/node/ManagedIdentityCredential"

const credential = new ManagedIdentityCredential()
const token = await credential.getToken("https://management.azure.com/.default")
console.log(`token expires at ${token.expiresOnTimestamp}`)
