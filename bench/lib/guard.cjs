// Fail closed: every benchmark process checks, before it constructs anything, that the only
// managed-identity endpoint it can reach is the local emulator. @azure/identity reads
// AZURE_POD_IDENTITY_AUTHORITY_HOST when a credential is constructed and falls back to
// 169.254.169.254 without it, so a missing or wrong value must stop the run, not degrade it.
// This module imports nothing, so it costs the cold-start measurements nothing measurable.
// CommonJS, so that the `require` cold-start child loads it as it is; ES-module children import it.

/** `http://127.0.0.1:<port>` and nothing else (no other host, no path, no credentials). */
const LOOPBACK_ORIGIN = /^http:\/\/127\.0\.0\.1:\d{1,5}\/?$/

/** App Service's endpoint on the emulator: `http://127.0.0.1:<port>/<path>`, no query, no credentials. */
const LOOPBACK_ENDPOINT = /^http:\/\/127\.0\.0\.1:\d{1,5}\/[A-Za-z0-9/._-]*$/

/**
 * Variables that would make either library pick another source than IMDS or App Service (or
 * another host). App Service's two (the Functions-like host runs on it, as Functions do) are allowed
 * only together, with the endpoint on the emulator.
 */
const FOREIGN_VARIABLES = [
  "IDENTITY_SERVER_THUMBPRINT",
  "IMDS_ENDPOINT",
  "MSI_ENDPOINT",
  "MSI_SECRET",
  "AZURE_FEDERATED_TOKEN_FILE",
  "AZURE_AUTHORITY_HOST",
  "AZURE_CLIENT_ID",
  "AZURE_TENANT_ID",
  "HTTP_PROXY",
  "HTTPS_PROXY",
  "ALL_PROXY",
  "http_proxy",
  "https_proxy",
  "all_proxy"
]

/** The reason the environment is unsafe, or `undefined` when it points at loopback only. */
const unsafeEnvironment = (env) => {
  const host = env.AZURE_POD_IDENTITY_AUTHORITY_HOST
  if (host === undefined || !LOOPBACK_ORIGIN.test(host)) {
    return "AZURE_POD_IDENTITY_AUTHORITY_HOST must be http://127.0.0.1:<port> (the local emulator)"
  }
  const foreign = FOREIGN_VARIABLES.filter((name) => env[name] !== undefined && env[name] !== "")
  if (foreign.length > 0) return `unset ${foreign.join(", ")}: they could point a client somewhere else`
  const appService = [env.IDENTITY_ENDPOINT, env.IDENTITY_HEADER].filter((v) => v !== undefined && v !== "")
  if (appService.length === 1) return "IDENTITY_ENDPOINT and IDENTITY_HEADER go together (App Service), or neither"
  if (appService.length === 2 && !LOOPBACK_ENDPOINT.test(env.IDENTITY_ENDPOINT)) {
    return "IDENTITY_ENDPOINT must be http://127.0.0.1:<port>/<path> (the local emulator)"
  }
  return undefined
}

/** Exits the process (code 2) unless the environment points at the loopback emulator only. */
const assertLoopbackEnvironment = (env = process.env) => {
  const reason = unsafeEnvironment(env)
  if (reason !== undefined) {
    process.stderr.write(`bench: refusing to run: ${reason}\n`)
    process.exit(2)
  }
}

/** The same check as `ManagedIdentity.allowLoopbackOnly`, for scripts that must not import core. */
const loopbackOnly = (url) => url.hostname === "127.0.0.1" || url.hostname === "localhost"

exports.LOOPBACK_ORIGIN = LOOPBACK_ORIGIN
exports.FOREIGN_VARIABLES = FOREIGN_VARIABLES
exports.unsafeEnvironment = unsafeEnvironment
exports.assertLoopbackEnvironment = assertLoopbackEnvironment
exports.loopbackOnly = loopbackOnly
