// Gets one token with @azure/identity in a process of its own: MSAL keeps the managed-identity
// source and its token cache in static fields, so each source under test needs a fresh process.
// Input: argv[2] = JSON { credential: "managed" | "workload", scope, clientId?, ca?, authorityHost?,
// tenantId?, tokenFilePath? }. Output: one JSON line on stdout.
import { ManagedIdentityCredential, WorkloadIdentityCredential } from "@azure/identity"

const config = JSON.parse(process.argv[2] ?? "{}")
const reply = (value) => process.stdout.write(`${JSON.stringify(value)}\n`)

// Fail closed: a variable that could send @azure/identity anywhere but loopback stops the run
// before any credential exists, and IMDS must always be redirected (MSAL falls back to it).
const isLoopback = (value) => {
  try {
    const { hostname } = new URL(value)
    return hostname === "127.0.0.1" || hostname === "localhost"
  } catch {
    return false
  }
}
const endpointVariables = [
  "AZURE_POD_IDENTITY_AUTHORITY_HOST",
  "IDENTITY_ENDPOINT",
  "MSI_ENDPOINT",
  "IMDS_ENDPOINT",
  "AZURE_AUTHORITY_HOST"
]
const unsafe = endpointVariables.filter((name) => process.env[name] !== undefined && !isLoopback(process.env[name]))
if (unsafe.length > 0 || !isLoopback(process.env.AZURE_POD_IDENTITY_AUTHORITY_HOST ?? "")) {
  reply({
    ok: false,
    name: "UnsafeEnvironment",
    message: `refusing to run: ${unsafe.join(", ") || "no IMDS redirect"}`
  })
  process.exit(3)
}
if (config.authorityHost !== undefined && !isLoopback(config.authorityHost)) {
  reply({ ok: false, name: "UnsafeEnvironment", message: "authorityHost is not loopback" })
  process.exit(3)
}

const tlsOptions = config.ca === undefined ? {} : { tlsOptions: { ca: config.ca } }
const retryOptions = { retryOptions: { maxRetries: 0 } }
const credential =
  config.credential === "workload"
    ? new WorkloadIdentityCredential({
        tenantId: config.tenantId,
        clientId: config.clientId,
        tokenFilePath: config.tokenFilePath,
        authorityHost: config.authorityHost,
        disableInstanceDiscovery: true,
        ...tlsOptions,
        ...retryOptions
      })
    : new ManagedIdentityCredential({
        ...(config.clientId === undefined ? {} : { clientId: config.clientId }),
        ...tlsOptions,
        ...retryOptions
      })

try {
  const token = await credential.getToken(config.scope)
  reply({ ok: true, token: token.token, expiresOnTimestamp: token.expiresOnTimestamp, tokenType: token.tokenType })
} catch (error) {
  reply({ ok: false, name: error?.name, message: String(error?.message).slice(0, 2000) })
}
