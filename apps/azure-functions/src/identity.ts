// The function app's managed identity, with every mitigation from the write-up on intermittent
// managed-identity failures on Azure Functions consumption plans (about 16% of requests failing with
// CredentialUnavailableException and socket access errors):
//
//   1. retries tuned for cold starts: the write-up's numbers (5 retries, 2 s delay, 10 s at most,
//      exponential);
//   2. an environment check at start-up: a fresh instance may run before the host has injected
//      IDENTITY_ENDPOINT, so check it, say so, and check again on the next invocation;
//   3. a circuit breaker: after repeated failures fail fast for a while (the caller degrades safely);
//   4. an explicit client id, even where the system-assigned identity would be picked anyway;
//   5. metrics on authentication errors (see metrics.ts).
//
// And the one the socket errors (SocketException 10013) call for: one token cache per instance,
// shared by every invocation, so the cache answers and the sandbox's connection limit is not spent
// on token requests. The library shares its cache between every credential of one configuration in
// the process, so even a credential built per invocation costs no request once a token is cached;
// this app keeps one per instance anyway.
import { Diagnostics, ManagedIdentity } from "@managed-identity/core"
import { CredentialUnavailableError, ManagedIdentityCredential } from "@managed-identity/node"

type Variables = Readonly<Record<string, string | undefined>>

/** Retry options in `@azure/identity`'s shape. */
export interface RetryOptions {
  readonly maxRetries?: number
  readonly retryDelayInMs?: number
  readonly maxRetryDelayInMs?: number
}

export interface Logger {
  readonly warn: (message: string) => void
  readonly error: (message: string) => void
}

export interface FunctionIdentityOptions {
  /** The app settings; default `process.env`. Read again until IDENTITY_ENDPOINT appears. */
  readonly environment?: Variables | undefined
  /** Default: the write-up's 5 retries, 2 s delay, 10 s at most. */
  readonly retry?: RetryOptions | undefined
  /** Default: open after 3 consecutive failed acquisitions, for 30 s. */
  readonly circuitBreaker?: { readonly failureThreshold?: number; readonly cooldownMs?: number } | undefined
  readonly logger?: Logger | undefined
  /**
   * Share the process's token cache with every credential of the same configuration (default
   * `true`). A Functions instance is one process; tests that run many instances in one process
   * turn it off so that each instance behaves as its own process would.
   */
  readonly sharedTokenCache?: boolean | undefined
}

/** Mitigation 1: `ManagedIdentityCredential` retry options from the write-up's C#. */
export const coldStartRetry: Required<RetryOptions> = { maxRetries: 5, retryDelayInMs: 2000, maxRetryDelayInMs: 10_000 }

/**
 * This example runs against the local emulator only. Every endpoint variable must name a loopback
 * address before a credential is built, and the credential's endpoint guard checks it again, so a
 * misconfiguration fails closed instead of reaching a real endpoint. Deploying to Azure: delete this
 * check and the `endpointGuard` line below.
 */
export const assertLoopback = (variables: Variables): void => {
  for (const name of ["IDENTITY_ENDPOINT", "MSI_ENDPOINT", "IMDS_ENDPOINT", "AZURE_POD_IDENTITY_AUTHORITY_HOST"]) {
    const value = variables[name]
    if (value === undefined || value === "") continue
    let url: URL | undefined
    try {
      url = new URL(value)
    } catch {
      url = undefined
    }
    if (url === undefined || !ManagedIdentity.allowLoopbackOnly(url)) {
      throw new Error(`${name} must point at the local emulator (127.0.0.1) for this example; refusing to start`)
    }
  }
}

/**
 * Mitigation 2: what the start-up check found, in plain words (from `Diagnostics.diagnose`, the
 * same diagnosis `managed-identity doctor` prints). `ready` is false until App Service's variables
 * are both set.
 */
export const checkEnvironment = (variables: Variables): { readonly ready: boolean; readonly problems: string[] } => {
  const diagnosis = Diagnostics.diagnose(variables, { platform: "posix" })
  const ready = diagnosis.source === "AppService"
  const problems = [...diagnosis.warnings, ...diagnosis.conflicts]
  if (!ready) {
    problems.unshift(
      `IDENTITY_ENDPOINT and IDENTITY_HEADER are not both set (detected source: ${diagnosis.source}): managed identity is not enabled for this app, or the host has not injected it yet (cold start)`
    )
  }
  return { ready, problems }
}

/**
 * One credential per instance, built on first use once the host's variables are there. Until then
 * `getToken` rejects with `CredentialUnavailableError` (the caller degrades) and the next call checks
 * again: the write-up's race between a new instance and the injection of its variables.
 */
export class FunctionIdentity {
  readonly #options: FunctionIdentityOptions
  readonly #logger: Logger
  #credential: ManagedIdentityCredential | undefined
  #reported = false

  constructor(options: FunctionIdentityOptions = {}) {
    this.#options = options
    this.#logger = options.logger ?? { warn: console.warn, error: console.error }
    // The start-up check: log what is wrong now rather than on the first failed request.
    this.#ready()
  }

  /** Mitigation 4: the client id comes from the app settings and is always passed explicitly. */
  get clientId(): string | undefined {
    return this.#variables().AZURE_CLIENT_ID || undefined
  }

  /** The `TokenCredential` shape: hand this object to any Azure SDK client. */
  getToken: ManagedIdentityCredential["getToken"] = (scopes, options) => {
    const credential = this.#ready()
    if (credential === undefined) {
      return Promise.reject(
        new CredentialUnavailableError(
          "ManagedIdentityCredential: IDENTITY_ENDPOINT is not set yet; managed identity is not available on this instance"
        )
      )
    }
    return credential.getToken(scopes, options)
  }

  close(): Promise<void> {
    return this.#credential?.close() ?? Promise.resolve()
  }

  #variables(): Variables {
    return this.#options.environment ?? process.env
  }

  #ready(): ManagedIdentityCredential | undefined {
    if (this.#credential !== undefined) return this.#credential
    const variables = this.#variables()
    const { ready, problems } = checkEnvironment(variables)
    if (!ready) {
      if (!this.#reported) for (const problem of problems) this.#logger.error(`managed identity: ${problem}`)
      this.#reported = true
      return undefined
    }
    for (const problem of problems) this.#logger.warn(`managed identity: ${problem}`)
    if (this.clientId === undefined) {
      this.#logger.warn("managed identity: AZURE_CLIENT_ID is not set; using the system-assigned identity")
    }
    assertLoopback(variables)
    const breaker = this.#options.circuitBreaker
    this.#credential = new ManagedIdentityCredential({
      clientId: this.clientId,
      retryOptions: { ...coldStartRetry, ...this.#options.retry },
      // Mitigation 5 reads the library's `managed_identity.*` metrics (metrics.ts): record them.
      effectTelemetry: true,
      sharedTokenCache: this.#options.sharedTokenCache,
      managedIdentity: {
        environment: variables,
        endpointGuard: ManagedIdentity.allowLoopbackOnly,
        // Mitigation 3: fail fast after repeated failures instead of making every invocation wait
        // through the whole retry schedule.
        circuitBreaker: { failureThreshold: breaker?.failureThreshold ?? 3, cooldown: breaker?.cooldownMs ?? 30_000 }
      }
    })
    return this.#credential
  }
}
