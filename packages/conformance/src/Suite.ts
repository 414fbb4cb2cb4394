/**
 * The conformance suite every adapter runs in its real runtime (Node, Deno, Bun, workerd through
 * miniflare, edge-runtime) against the emulator over loopback HTTP. It is written once, with Web
 * APIs only and no imports, so it can be bundled into a Worker or loaded by any runtime: the
 * runtime's entry file hands it a `Target` (how to build that adapter's credential) and the
 * `Setup` the Node test process made when it started the emulator.
 *
 * Each case declares how many requests each emulator endpoint must receive; `runCase` checks the
 * count through the emulator's admin API, and the Node process checks the totals against the
 * emulator's own log afterwards.
 *
 * @since 0.1.0
 */

/**
 * The sources the emulator can point a credential at (its `envFor` names).
 *
 * @since 0.1.0
 * @category models
 */
export type SourceKey = "imds" | "appservice" | "azureml" | "cloudshell" | "arc" | "servicefabric" | "workloadidentity"

/**
 * The emulator's request-log endpoints.
 *
 * @since 0.1.0
 * @category models
 */
export type EndpointName = "imds" | "appservice" | "azureml" | "cloudshell" | "arc" | "servicefabric" | "entra"

/**
 * Which endpoint of the emulator each source talks to.
 *
 * @since 0.1.0
 * @category constants
 */
export const endpointOf: Readonly<Record<SourceKey, EndpointName>> = {
  imds: "imds",
  appservice: "appservice",
  azureml: "azureml",
  cloudshell: "cloudshell",
  arc: "arc",
  servicefabric: "servicefabric",
  workloadidentity: "entra"
}

/**
 * The user-assigned identity the emulator must have (besides a system-assigned one).
 *
 * @since 0.1.0
 * @category constants
 */
export const USER = {
  clientId: "5f9c6e1a-0000-4000-8000-00000000c11e",
  objectId: "5f9c6e1a-0000-4000-8000-0000000000b1",
  resourceId:
    "/subscriptions/00000000-0000-0000-0000-000000000000/resourcegroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/conformance"
} as const

/**
 * What the Node test process passes to the runtime (as JSON).
 *
 * @since 0.1.0
 * @category models
 */
export interface Setup {
  /** `<emulator url>/admin`. */
  readonly adminUrl: string
  /** The emulator's variables for each source (`envFor`). */
  readonly environments: Readonly<Record<SourceKey, Readonly<Record<string, string>>>>
  /** Variables pointing IMDS at a loopback port where nothing listens. */
  readonly unreachable: Readonly<Record<string, string>>
  /** Where the emulator writes Azure Arc key files (the credential's `arcKeyDirectory`). */
  readonly keyDirectory: string
  /** `IDENTITY_HEADER` / `MSI_SECRET`: must never appear in an error message. */
  readonly secret: string
}

/**
 * What the runtime can do besides `fetch`.
 *
 * @since 0.1.0
 * @category models
 */
export interface Capabilities {
  /** Reads files: workload identity and Azure Arc work; otherwise they must be `Unavailable`. */
  readonly fileSystem: boolean
  /** Pins a certificate by thumbprint: Service Fabric works; otherwise it must be `Unavailable`. */
  readonly certificatePinning: boolean
  /**
   * Tells a refused connection from one lost mid-way, so "nothing listening" is `Unavailable`.
   * workerd says "Network connection lost." for both: a transient failure, retried.
   */
  readonly refusedConnections: boolean
  /**
   * Shows a 407 answer to the library (default `true`). A runtime whose `fetch` follows the Fetch
   * standard to the letter (edge-runtime, on undici) turns a 407 into a network error instead.
   */
  readonly proxyAuthenticationStatus?: boolean
}

/**
 * The `TokenCredential` shape the suite uses.
 *
 * @since 0.1.0
 * @category models
 */
export interface CredentialLike {
  getToken(
    scopes: string | ReadonlyArray<string>,
    options?: { readonly abortSignal?: AbortSignal | undefined; readonly claims?: string | undefined }
  ): Promise<{
    readonly token: string
    readonly expiresOnTimestamp: number
    readonly refreshAfterTimestamp?: number | undefined
    readonly tokenType: string
  }>
  close(): Promise<void>
}

/**
 * The options the suite builds a credential with: `@azure/identity`'s identity options plus
 * core settings (`managedIdentity`), which always carry the loopback-only endpoint guard.
 *
 * @since 0.1.0
 * @category models
 */
export interface CredentialOptions {
  readonly clientId?: string
  readonly objectId?: string
  readonly resourceId?: string
  /** Off: the credential keeps a token cache of its own instead of the process's shared one. */
  readonly sharedTokenCache?: boolean
  /** `@azure/identity`'s retry options: only the waits, the source's policy keeps its shape. */
  readonly retryOptions?: { readonly retryDelayInMs: number; readonly maxRetryDelayInMs: number }
  readonly managedIdentity: {
    readonly endpointGuard: (endpoint: URL) => boolean
    readonly sourceOptions: { readonly arcKeyDirectory: string }
    readonly retry?:
      | {
          readonly maxRetries: number
          readonly delta: number
          readonly maxDelay: number
          readonly jitter: number
          readonly goneWindow: number
        }
      | false
  }
}

type ErrorClass = abstract new (...args: Array<any>) => Error

/**
 * One adapter in one runtime.
 *
 * @since 0.1.0
 * @category models
 */
export interface Target {
  /** A name for reports: `node`, `deno`, `bun`, `workerd`, `edge-runtime`. */
  readonly runtime: string
  readonly capabilities: Capabilities
  /** Core's `ManagedIdentity.allowLoopbackOnly`: every credential gets it. */
  readonly endpointGuard: (endpoint: URL) => boolean
  /** Builds the adapter's `ManagedIdentityCredential` for these variables and options. */
  readonly credential: (environment: Readonly<Record<string, string>>, options: CredentialOptions) => CredentialLike
  readonly errors: {
    readonly CredentialUnavailableError: ErrorClass
    readonly AuthenticationError: ErrorClass
    readonly AbortError: ErrorClass
    /** What the adapter throws for bad input (the compatibility suite's endpoint and identity checks). */
    readonly InvalidArgumentError?: ErrorClass
  }
}

/**
 * One case's outcome.
 *
 * @since 0.1.0
 * @category models
 */
export interface CaseResult {
  readonly name: string
  readonly ok: boolean
  /** Why it failed (never a token or a secret). */
  readonly error?: string
  /** Requests the emulator received during the case, per endpoint. */
  readonly requests: Readonly<Partial<Record<EndpointName, number>>>
}

/**
 * A whole run.
 *
 * @since 0.1.0
 * @category models
 */
export interface Report {
  readonly runtime: string
  readonly results: ReadonlyArray<CaseResult>
}

// ---------------------------------------------------------------------------------------------
// Assertions and the emulator's admin API
// ---------------------------------------------------------------------------------------------

class AssertionFailed extends Error {
  override readonly name = "AssertionFailed"
}

/**
 * Fails the case with `message` unless `condition` holds.
 *
 * @since 0.1.0
 * @category assertions
 */
export const check = (condition: boolean, message: string): void => {
  if (!condition) throw new AssertionFailed(message)
}

/**
 * An error as a case reports it: its class name and message.
 *
 * @since 0.1.0
 * @category assertions
 */
export const describeError = (error: unknown): string =>
  error instanceof Error ? `${error.name}: ${error.message}` : `non-error ${typeof error}`

const rejectsWith = async <E extends Error>(
  promise: Promise<unknown>,
  expected: abstract new (...args: Array<any>) => E,
  what: string
): Promise<E> => {
  try {
    await promise
  } catch (error) {
    check(error instanceof expected, `${what}: expected ${expected.name}, got ${describeError(error)}`)
    return error as E
  }
  throw new AssertionFailed(`${what}: expected ${expected.name}, but a token arrived`)
}

const LOOPBACK = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|localhost|\[::1\])$/i
// The unspecified addresses: a connection to them reaches this machine and nothing else.
const UNSPECIFIED = /^(0\.0\.0\.0|\[::\])$/

/**
 * Refuses any variable holding a URL that is not loopback: a misconfigured run fails closed
 * instead of reaching a real metadata service. `allowUnspecified` also lets `0.0.0.0` and `[::]`
 * through (a connection to them stays on this machine), for cases that check the library refuses
 * them before sending anything.
 *
 * @since 0.1.0
 * @category guards
 */
export const assertLoopbackOnly = (
  variables: Readonly<Record<string, string>>,
  options: { readonly allowUnspecified?: boolean } = {}
): Readonly<Record<string, string>> => {
  for (const [name, value] of Object.entries(variables)) {
    if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) continue
    const host = new URL(value).hostname
    if (!(LOOPBACK.test(host) || (options.allowUnspecified === true && UNSPECIFIED.test(host))))
      throw new AssertionFailed(`${name} is not a loopback URL: ${value}`)
  }
  return variables
}

/**
 * The emulator's admin API, as the cases use it.
 *
 * @since 0.1.0
 * @category models
 */
export interface Admin {
  counts(): Promise<Partial<Record<EndpointName, number>>>
  /** Installs a fault: a compact spec (`imds:410x2`) or a definition (a scripted reply). */
  fault(spec: string | Readonly<Record<string, unknown>>): Promise<void>
  clearFaults(): Promise<void>
  pending(endpoint: EndpointName): Promise<number>
  lastQuery(endpoint: EndpointName): Promise<Readonly<Record<string, string>> | undefined>
}

/**
 * Calls the emulator's admin API and returns its JSON answer; fails the case on any other status
 * than 2xx. State-changing calls are sent as JSON, which the emulator requires (a web page could
 * send anything else), even without a body.
 *
 * @since 0.1.0
 * @category admin
 */
export const adminCall =
  (adminUrl: string) =>
  async (path: string, method = "GET", body?: unknown): Promise<any> => {
    const response = await fetch(`${adminUrl}${path}`, {
      method,
      ...(method === "GET" ? {} : { headers: { "content-type": "application/json" } }),
      ...(body === undefined ? {} : { body: JSON.stringify(body) })
    })
    if (!response.ok)
      throw new AssertionFailed(
        `emulator admin ${method} ${path} answered ${response.status}: ${await response.text()}`
      )
    return response.json()
  }

const admin = (adminUrl: string): Admin => {
  const call = adminCall(adminUrl)
  const requests = async (): Promise<{
    requests: ReadonlyArray<{ endpoint: string; outcome: string; query: Record<string, string> }>
    counters: Record<string, { total: number }>
  }> => call("/requests")
  return {
    counts: async () => {
      const { counters } = await requests()
      const out: Partial<Record<EndpointName, number>> = {}
      for (const [name, counter] of Object.entries(counters)) out[name as EndpointName] = counter.total
      return out
    },
    fault: async (spec) => {
      await call("/faults", "POST", typeof spec === "string" ? { spec } : spec)
    },
    clearFaults: async () => {
      await call("/faults", "DELETE")
    },
    pending: async (endpoint) =>
      (await requests()).requests.filter((r) => r.endpoint === endpoint && r.outcome === "pending").length,
    lastQuery: async (endpoint) => (await requests()).requests.filter((r) => r.endpoint === endpoint).at(-1)?.query
  }
}

/**
 * The claims of a JWT, read without checking its signature.
 *
 * @since 0.1.0
 * @category assertions
 */
export const claimsOf = (token: string): Record<string, unknown> => {
  const payload = token.split(".")[1]
  check(payload !== undefined, "the token is not a JWT")
  const base64 = payload!.replace(/-/g, "+").replace(/_/g, "/")
  const binary = atob(base64.padEnd(base64.length + ((4 - (base64.length % 4)) % 4), "="))
  const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0))
  return JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>
}

// ---------------------------------------------------------------------------------------------
// Cases
// ---------------------------------------------------------------------------------------------

const ARM = "https://management.azure.com/.default"
const VAULT = "https://vault.azure.net/.default"
const STORAGE = "https://storage.azure.com/.default"
const KEYVAULT_SHARED = "https://graph.microsoft.com/.default"

/** Fast enough that retries cost milliseconds of real time, with the policy's shape intact. */
const FAST_RETRY = { maxRetries: 3, delta: 10, maxDelay: 50, jitter: 0, goneWindow: 1000 }

/**
 * What a case gets: the target, the setup, the emulator's admin API and a credential factory.
 *
 * @since 0.1.0
 * @category models
 */
export interface Context {
  readonly target: Target
  readonly setup: Setup
  readonly admin: Admin
  /** A credential for one source; closed by the runner after the case. */
  credential(
    source: SourceKey | Readonly<Record<string, string>>,
    identity?: {
      readonly clientId?: string
      readonly objectId?: string
      readonly resourceId?: string
      readonly sharedTokenCache?: boolean
    },
    retry?: Partial<CredentialOptions["managedIdentity"]["retry"]>
  ): CredentialLike
}

/**
 * One behaviour, with the requests each endpoint must receive while it runs.
 *
 * @since 0.1.0
 * @category models
 */
export interface Case {
  readonly name: string
  readonly requests: Readonly<Partial<Record<EndpointName, number>>>
  readonly run: (context: Context) => Promise<void>
}

const acquires = (source: SourceKey): Case => ({
  name: `${source}: gives a token for the resource, then serves it from the cache`,
  // Azure Arc answers the first request with a challenge and the second, with the key, with a token.
  requests: { [endpointOf[source]]: source === "arc" ? 2 : 1 },
  run: async ({ credential }) => {
    const mi = credential(source)
    const before = Date.now()
    const token = await mi.getToken(ARM)
    const claims = claimsOf(token.token)
    check(
      claims.aud === "https://management.azure.com/" || claims.aud === "https://management.azure.com",
      `aud is ${String(claims.aud)}`
    )
    check(token.tokenType === "Bearer", `tokenType is ${token.tokenType}`)
    check(token.expiresOnTimestamp > before, "the token is already expired")
    check(
      Math.abs(token.expiresOnTimestamp - Number(claims.exp) * 1000) < 5_000,
      "expiresOnTimestamp disagrees with the token's exp"
    )
    const again = await mi.getToken(ARM)
    check(again.token === token.token, "the second call did not return the cached token")
  }
})

const refusedHere = (source: SourceKey, why: RegExp): Case => ({
  name: `${source}: is unavailable here, says why, and sends nothing`,
  requests: { [endpointOf[source]]: 0 },
  run: async ({ credential, target }) => {
    const error = await rejectsWith(credential(source).getToken(ARM), target.errors.CredentialUnavailableError, source)
    check(why.test(error.message), `the message does not say why: ${error.message}`)
  }
})

const userAssigned = (kind: "clientId" | "objectId" | "resourceId", parameter: string): Case => ({
  name: `imds: selects the user-assigned identity by ${kind}`,
  requests: { imds: 1 },
  run: async ({ credential, admin }) => {
    const token = await credential("imds", { [kind]: USER[kind] }).getToken(VAULT)
    const claims = claimsOf(token.token)
    check(claims.appid === USER.clientId, `appid is ${String(claims.appid)}, not the user-assigned identity's`)
    check(claims.oid === USER.objectId, `oid is ${String(claims.oid)}`)
    const query = await admin.lastQuery("imds")
    check(query?.[parameter] === USER[kind], `the request did not send ${parameter}`)
  }
})

/**
 * One token cache per process, shared by every credential of one configuration (as
 * `@azure/identity`'s): a credential built per call costs no request once a token is cached, and
 * two identities never share. Part of `cases`; adapters' own suites run them on their own too.
 *
 * @since 0.1.0
 * @category cases
 */
export const sharingCases: ReadonlyArray<Case> = [
  {
    name: "sharing: fifty fresh credentials in a row make one request; a fresh one answers from the cache",
    requests: { imds: 1 },
    run: async ({ credential }) => {
      const first = await credential("imds").getToken(KEYVAULT_SHARED)
      for (let i = 0; i < 49; i++) {
        const token = await credential("imds").getToken(KEYVAULT_SHARED)
        check(token.token === first.token, `fresh credential ${i + 2} did not get the cached token`)
      }
    }
  },
  {
    name: "sharing: two hundred concurrent fresh credentials make one request between them",
    requests: { imds: 1 },
    run: async ({ credential }) => {
      const tokens = await Promise.all(Array.from({ length: 200 }, () => credential("imds").getToken(KEYVAULT_SHARED)))
      check(new Set(tokens.map((t) => t.token)).size === 1, "concurrent fresh credentials got different tokens")
    }
  },
  {
    name: "sharing: two identities, concurrently and interleaved, never get each other's token",
    requests: { imds: 2 },
    run: async ({ credential }) => {
      const calls = Array.from({ length: 120 }, (_, i) => {
        const user = i % 2 === 1
        return credential("imds", user ? { clientId: USER.clientId } : {})
          .getToken(KEYVAULT_SHARED)
          .then((token) => ({ user, claims: claimsOf(token.token) }))
      })
      for (const { user, claims } of await Promise.all(calls)) {
        if (user) check(claims.appid === USER.clientId, `the user-assigned identity got appid ${String(claims.appid)}`)
        else check(claims.appid !== USER.clientId, "the system identity got the user-assigned identity's token")
      }
    }
  },
  {
    name: "sharing: close() on one credential leaves the others with the cache",
    requests: { imds: 1 },
    run: async ({ credential }) => {
      const a = credential("imds")
      const b = credential("imds")
      const token = await a.getToken(KEYVAULT_SHARED)
      await a.close()
      check((await b.getToken(KEYVAULT_SHARED)).token === token.token, "the other credential lost the cached token")
      check(
        (await credential("imds").getToken(KEYVAULT_SHARED)).token === token.token,
        "a new credential missed the cache"
      )
    }
  },
  {
    name: "sharing: sharedTokenCache: false keeps a credential's cache its own",
    requests: { imds: 2 },
    run: async ({ credential }) => {
      const shared = await credential("imds").getToken(KEYVAULT_SHARED)
      const apart = credential("imds", { sharedTokenCache: false })
      const own = await apart.getToken(KEYVAULT_SHARED)
      check((await apart.getToken(KEYVAULT_SHARED)).token === own.token, "the separate credential did not cache")
      // Its own request, so its own token (every token the emulator mints is unique).
      check(own.token !== shared.token, "the separate credential got the shared cache's token")
    }
  }
]

const retries = (spec: string, requests: number): Case => ({
  name: `imds: retries ${spec} and then gets the token`,
  requests: { imds: requests },
  run: async ({ credential, admin }) => {
    await admin.fault(spec)
    const token = await credential("imds").getToken(ARM)
    check(token.token.split(".").length === 3, "no token after the retries")
  }
})

/**
 * The cases for a runtime with these capabilities, in the order they run.
 *
 * @since 0.1.0
 * @category cases
 */
export const cases = (capabilities: Capabilities): ReadonlyArray<Case> => [
  acquires("imds"),
  acquires("appservice"),
  acquires("azureml"),
  acquires("cloudshell"),
  capabilities.fileSystem ? acquires("arc") : refusedHere("arc", /file system/),
  capabilities.fileSystem ? acquires("workloadidentity") : refusedHere("workloadidentity", /file system/),
  capabilities.certificatePinning ? acquires("servicefabric") : refusedHere("servicefabric", /pin/),
  ...(capabilities.certificatePinning
    ? [
        {
          name: "servicefabric: a certificate that does not match the pin never gets the request",
          requests: { servicefabric: 0 },
          run: async ({ credential, setup, target }) => {
            const environment = {
              ...setup.environments.servicefabric,
              IDENTITY_SERVER_THUMBPRINT: "0000000000000000000000000000000000000000"
            }
            const error = await rejectsWith(
              credential(environment, {}, { maxRetries: 0 }).getToken(ARM),
              target.errors.AuthenticationError,
              "wrong pin"
            )
            check(/certificate|pin/i.test(error.message), `the message does not mention the pin: ${error.message}`)
          }
        } satisfies Case
      ]
    : []),
  userAssigned("clientId", "client_id"),
  userAssigned("objectId", "object_id"),
  userAssigned("resourceId", "msi_res_id"),
  {
    name: "appservice: selects the user-assigned identity by objectId (principal_id)",
    requests: { appservice: 1 },
    run: async ({ credential, admin }) => {
      const token = await credential("appservice", { objectId: USER.objectId }).getToken(VAULT)
      check(claimsOf(token.token).oid === USER.objectId, "the token is not the user-assigned identity's")
      check((await admin.lastQuery("appservice"))?.principal_id === USER.objectId, "principal_id was not sent")
    }
  },
  {
    name: "cache: 8 concurrent calls make one request (single flight)",
    requests: { imds: 1 },
    run: async ({ credential }) => {
      const mi = credential("imds")
      const tokens = await Promise.all(Array.from({ length: 8 }, () => mi.getToken(STORAGE)))
      check(new Set(tokens.map((t) => t.token)).size === 1, "concurrent callers got different tokens")
    }
  },
  {
    name: "cache: each resource is cached on its own",
    requests: { imds: 2 },
    run: async ({ credential }) => {
      const mi = credential("imds")
      const vault = await mi.getToken(VAULT)
      const storage = await mi.getToken(STORAGE)
      check(vault.token !== storage.token, "two resources share a token")
      check((await mi.getToken(VAULT)).token === vault.token, "the vault token was not cached")
      check((await mi.getToken([STORAGE])).token === storage.token, "the storage token was not cached")
    }
  },
  ...sharingCases,
  retries("imds:410x2", 3),
  retries("imds:429,retry-after=0x2", 3),
  retries("imds:500x1", 2),
  retries("imds:503x2", 3),
  {
    name: "imds: gives up after the policy's retries with an AuthenticationError",
    requests: { imds: 3 },
    run: async ({ credential, admin, target }) => {
      await admin.fault("imds:503")
      const error = await rejectsWith(
        credential("imds", {}, { maxRetries: 2 }).getToken(ARM),
        target.errors.AuthenticationError,
        "persistent 503"
      )
      check((error as Error & { statusCode?: number }).statusCode === 503, "statusCode is not 503")
    }
  },
  {
    name: "imds: fails fast on a 400 invalid_resource (no retry) with an AuthenticationError quoting the error",
    requests: { imds: 1 },
    run: async ({ credential, admin, target }) => {
      // IMDS's other 400s mean "no such identity here" (CredentialUnavailableError); invalid_resource
      // is a request the caller got wrong.
      await admin.fault({
        target: "imds",
        times: 1,
        action: {
          kind: "reply",
          status: 400,
          headers: { "content-type": "application/json; charset=utf-8" },
          body: JSON.stringify({
            error: "invalid_resource",
            error_description: "AADSTS500011: The resource principal named https://management.azure.com was not found."
          })
        }
      })
      const error = await rejectsWith(credential("imds").getToken(ARM), target.errors.AuthenticationError, "400")
      const typed = error as Error & { statusCode?: number; errorResponse?: { error?: string } }
      check(typed.statusCode === 400, `statusCode is ${String(typed.statusCode)}`)
      check(typed.errorResponse?.error === "invalid_resource", `error is ${String(typed.errorResponse?.error)}`)
      check(error.message.includes("AADSTS500011"), `the message does not quote the description: ${error.message}`)
    }
  },
  {
    name: "imds: an identity the host does not have is a CredentialUnavailableError (no retry)",
    requests: { imds: 1 },
    run: async ({ credential, target }) => {
      await rejectsWith(
        credential("imds", { clientId: "00000000-0000-4000-8000-00000000dead" }).getToken(ARM),
        target.errors.CredentialUnavailableError,
        "unknown client id"
      )
    }
  },
  {
    name: "appservice: errors never quote the secret header",
    requests: { appservice: 2 },
    run: async ({ credential, admin, target, setup }) => {
      await admin.fault("appservice:500")
      const error = await rejectsWith(
        credential("appservice", {}, { maxRetries: 1 }).getToken(ARM),
        target.errors.AuthenticationError,
        "persistent 500"
      )
      check(!error.message.includes(setup.secret), "the error message quotes the secret")
      check(!String(error.stack).includes(setup.secret), "the error's stack quotes the secret")
    }
  },
  capabilities.refusedConnections
    ? {
        name: "nothing listening is a CredentialUnavailableError",
        requests: {},
        run: async ({ credential, setup, target }) => {
          const error = await rejectsWith(
            credential(setup.unreachable).getToken(ARM),
            target.errors.CredentialUnavailableError,
            "connection refused"
          )
          check(/refused/i.test(error.message), `the message does not say the connection was refused: ${error.message}`)
        }
      }
    : {
        name: "nothing listening is a transient failure where fetch cannot tell (AuthenticationError after the retries)",
        requests: {},
        run: async ({ credential, setup, target }) => {
          const error = await rejectsWith(
            credential(setup.unreachable, {}, { maxRetries: 1 }).getToken(ARM),
            target.errors.AuthenticationError,
            "connection lost"
          )
          check(/failed/i.test(error.message), `unclear message: ${error.message}`)
        }
      },
  {
    name: "abort: an aborted signal rejects with AbortError before any request",
    requests: { imds: 0 },
    run: async ({ credential, target }) => {
      const controller = new AbortController()
      controller.abort()
      await rejectsWith(
        credential("imds").getToken(ARM, { abortSignal: controller.signal }),
        target.errors.AbortError,
        "pre-aborted"
      )
    }
  },
  {
    name: "abort: aborting a call the endpoint never answers rejects with AbortError",
    requests: { imds: 1 },
    run: async ({ credential, admin, target }) => {
      await admin.fault("imds:blackhole")
      const controller = new AbortController()
      const pending = credential("imds").getToken(ARM, { abortSignal: controller.signal })
      // Abort once the request has reached the endpoint, so the abort is of a request in flight.
      for (let i = 0; i < 200 && (await admin.pending("imds")) === 0; i++) {
        await new Promise((resolve) => setTimeout(resolve, 10))
      }
      check((await admin.pending("imds")) === 1, "the request never reached the endpoint")
      controller.abort()
      await rejectsWith(pending, target.errors.AbortError, "aborted in flight")
    }
  }
]

/**
 * The requests each endpoint receives in a whole run: the sum of the cases' declarations.
 *
 * @since 0.1.0
 * @category cases
 */
export const expectedRequests = (capabilities: Capabilities): Readonly<Partial<Record<EndpointName, number>>> => {
  const totals: Partial<Record<EndpointName, number>> = {}
  for (const c of cases(capabilities)) {
    for (const [endpoint, count] of Object.entries(c.requests)) {
      totals[endpoint as EndpointName] = (totals[endpoint as EndpointName] ?? 0) + count
    }
  }
  return totals
}

const delta = (
  before: Partial<Record<EndpointName, number>>,
  after: Partial<Record<EndpointName, number>>
): Partial<Record<EndpointName, number>> => {
  const out: Partial<Record<EndpointName, number>> = {}
  for (const name of Object.keys(after) as Array<EndpointName>) {
    const difference = (after[name] ?? 0) - (before[name] ?? 0)
    if (difference !== 0) out[name] = difference
  }
  return out
}

/**
 * Runs one case: clears the emulator's faults, runs it, closes its credentials, and checks the
 * requests each endpoint received against the case's declaration.
 *
 * @since 0.1.0
 * @category running
 */
export const runCase = async (target: Target, setup: Setup, c: Case): Promise<CaseResult> => {
  const api = admin(setup.adminUrl)
  const opened: Array<CredentialLike> = []
  const context: Context = {
    target,
    setup,
    admin: api,
    credential: (source, identity = {}, retry = {}) => {
      const environment = assertLoopbackOnly(typeof source === "string" ? setup.environments[source] : source)
      const credential = target.credential(environment, {
        ...identity,
        managedIdentity: {
          endpointGuard: target.endpointGuard,
          sourceOptions: { arcKeyDirectory: setup.keyDirectory },
          retry: { ...FAST_RETRY, ...retry }
        }
      })
      opened.push(credential)
      return credential
    }
  }
  await api.clearFaults()
  const before = await api.counts()
  let error: string | undefined
  try {
    await c.run(context)
  } catch (failure) {
    error = describeError(failure)
  } finally {
    // Closing interrupts background work (a black-holed request, a refresh) before the next case.
    await Promise.all(opened.map((credential) => credential.close().catch(() => undefined)))
    await api.clearFaults()
  }
  const requests = delta(before, await api.counts())
  if (error === undefined) {
    for (const name of new Set([...Object.keys(c.requests), ...Object.keys(requests)]) as Set<EndpointName>) {
      const expected = c.requests[name] ?? 0
      const actual = requests[name] ?? 0
      if (expected !== actual) {
        error = `the emulator received ${actual} request(s) at ${name}, expected ${expected}`
        break
      }
    }
  }
  return error === undefined ? { name: c.name, ok: true, requests } : { name: c.name, ok: false, error, requests }
}

/**
 * The line prefix entry files print each result with, for the Node process to read.
 *
 * @since 0.1.0
 * @category running
 */
export const REPORT_PREFIX = "MI-CONFORMANCE "

/**
 * Runs every case in order.
 *
 * @since 0.1.0
 * @category running
 */
export const run = async (target: Target, setup: Setup): Promise<Report> => {
  const results: Array<CaseResult> = []
  for (const c of cases(target.capabilities)) results.push(await runCase(target, setup, c))
  return { runtime: target.runtime, results }
}
