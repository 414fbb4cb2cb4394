// @azure/identity: the same program with its ManagedIdentityCredential.
import { ManagedIdentityCredential } from "@azure/identity"

const credential = new ManagedIdentityCredential()
const token = await credential.getToken("https://management.azure.com/.default")
console.log(`token expires at ${token.expiresOnTimestamp}`)
