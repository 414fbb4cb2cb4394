/**
 * Azure Arc-enabled servers: `IDENTITY_ENDPOINT` + `IMDS_ENDPOINT`, or the Arc agent (`himds`)
 * installed at its default path. `GET {endpoint}?api-version=2020-06-01&resource=…` with
 * `Metadata: true` is answered `401` with `WWW-Authenticate: Basic realm=<path of a key file>`;
 * the agent wrote that file for us, readable only by privileged users. We read it only if, after
 * resolving symbolic links, it is inside the agent's token directory, ends in `.key`, and is a
 * regular file of at most 4096 bytes, all checked before reading; then we ask once more with
 * `Authorization: Basic <contents>`. The allowed directory is a code-level option, never read
 * from the environment (otherwise whoever sets variables could make us send any file). Arc
 * serves the machine's system-assigned identity only.
 *
 * @since 0.1.0
 */
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import type { Platform, Variables } from "./Environment.js"
import { FileReader } from "./FileReader.js"
import * as HttpTransport from "./HttpTransport.js"
import type { Identity } from "./Identity.js"
import {
  type EndpointError,
  type InvalidArgument,
  InvalidResponse,
  Rejected,
  type Unavailable
} from "./ManagedIdentityError.js"
import type { Resource } from "./Resource.js"
import * as RetryPolicy from "./RetryPolicy.js"
import type { Descriptor, IdentitySupport, Source, Variable } from "./Source.js"
import * as Endpoint from "./internal/endpoint.js"
import { IDENTITY_ENDPOINT } from "./internal/hostVariables.js"
import { baseName, isInside } from "./internal/pathContainment.js"
import {
  type Exchange,
  identityParameter,
  interpret,
  isHeaderValue,
  readVariables,
  send,
  tokenUrl
} from "./internal/sourceExchange.js"
import { quote } from "./internal/sourceSecrets.js"

/**
 * `IMDS_ENDPOINT`: the Arc agent's metadata endpoint; set with `IDENTITY_ENDPOINT`, it selects Arc.
 *
 * @since 0.1.0
 * @category variables
 */
export const IMDS_ENDPOINT: Variable = { name: "IMDS_ENDPOINT", secret: false }

/**
 * Arc serves the machine's system-assigned identity only.
 *
 * @since 0.1.0
 * @category constants
 */
export const identities: IdentitySupport = {
  unsupported: "Azure Arc serves the machine's system-assigned identity only"
}

/**
 * The agent's local endpoint, used when it is detected by its files rather than by variables. An
 * IPv4 address, not `localhost`: the agent listens on IPv4, and `localhost` may resolve to `::1`
 * first (msal-node rewrites it to 127.0.0.1 for the same reason).
 *
 * @since 0.1.0
 * @category constants
 */
export const DEFAULT_ENDPOINT = "http://127.0.0.1:40342/metadata/identity/oauth2/token"

/**
 * The API version sent (MSAL's; Arc's documentation also shows 2019-11-01).
 *
 * @since 0.1.0
 * @category constants
 */
export const API_VERSION = "2020-06-01"

/**
 * The agent's token directory, per platform: the only place a key file may be read from.
 *
 * @since 0.1.0
 * @category constants
 */
export const DEFAULT_KEY_DIRECTORY: Readonly<Record<Platform, string>> = {
  posix: "/var/opt/azcmagent/tokens",
  windows: "C:\\ProgramData\\AzureConnectedMachineAgent\\Tokens"
}

/**
 * The agent's executable, per platform: its existence means the agent is installed.
 *
 * @since 0.1.0
 * @category constants
 */
export const DEFAULT_AGENT_PATH: Readonly<Record<Platform, string>> = {
  posix: "/opt/azcmagent/bin/himds",
  windows: "C:\\Program Files\\AzureConnectedMachineAgent\\himds.exe"
}

/**
 * The largest key file read.
 *
 * @since 0.1.0
 * @category constants
 */
export const MAX_KEY_BYTES = 4096

/**
 * Where the agent is and where its key files may be.
 *
 * @since 0.1.0
 * @category models
 */
export interface Config {
  /** `IDENTITY_ENDPOINT`, or the agent's default endpoint. */
  readonly endpoint: URL
  /** The only directory a key file may be read from (never from the environment). */
  readonly keyDirectory: string
  /** Decides path rules: separators, case sensitivity. */
  readonly platform: Platform
}

/**
 * The configuration from `IDENTITY_ENDPOINT` + `IMDS_ENDPOINT`, or from the agent being
 * installed (then the default endpoint).
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import { AzureArcSource } from "@managed-identity/core"
 *
 * AzureArcSource.fromVariables(
 *   { IDENTITY_ENDPOINT: "http://127.0.0.1:40342/metadata/identity/oauth2/token", IMDS_ENDPOINT: "http://127.0.0.1:40342" },
 *   { platform: "posix", agentInstalled: false, keyDirectory: "/tmp/arc-tokens" }
 * )
 * ```
 */
export const fromVariables = (
  variables: Variables,
  options: {
    readonly platform: Platform
    readonly agentInstalled: boolean
    readonly keyDirectory?: string | undefined
    readonly allowNonLocalEndpoint?: boolean | undefined
  }
): Either.Either<Config, InvalidArgument | Unavailable> => {
  const keyDirectory = options.keyDirectory ?? DEFAULT_KEY_DIRECTORY[options.platform]
  const configured = readVariables(
    "AzureArc",
    variables,
    [IDENTITY_ENDPOINT, IMDS_ENDPOINT],
    " (or the Arc agent installed)"
  )
  if (Either.isRight(configured)) {
    const [identityEndpoint, imdsEndpoint] = configured.right
    return Either.map(
      Either.all([
        Either.flatMap(Endpoint.fromVariable(IDENTITY_ENDPOINT.name, identityEndpoint), (url) =>
          Endpoint.local(IDENTITY_ENDPOINT.name, url, options.allowNonLocalEndpoint)
        ),
        Endpoint.fromVariable(IMDS_ENDPOINT.name, imdsEndpoint)
      ]),
      ([endpoint]) => ({ endpoint, keyDirectory, platform: options.platform })
    )
  }
  if (options.agentInstalled) {
    return Either.right({ endpoint: new URL(DEFAULT_ENDPOINT), keyDirectory, platform: options.platform })
  }
  return Either.left(configured.left)
}

/**
 * The first token request (pure: nothing is sent). User-assigned identities are refused with
 * `Unavailable` (`unsupported-identity`).
 *
 * @since 0.1.0
 * @category requests
 * @example
 * ```ts
 * import * as Either from "effect/Either"
 * import { AzureArcSource, Identity, Resource } from "@managed-identity/core"
 *
 * const config = { endpoint: new URL(AzureArcSource.DEFAULT_ENDPOINT), keyDirectory: "/var/opt/azcmagent/tokens", platform: "posix" as const }
 * const resource = Either.getOrThrow(Resource.make("https://management.azure.com/"))
 * AzureArcSource.request(config, Identity.systemAssigned, resource)
 * ```
 */
export const request = (
  config: Config,
  identity: Identity,
  resource: Resource
): Either.Either<HttpTransport.Request, Unavailable> =>
  Either.map(identityParameter("AzureArc", identities, identity, Endpoint.printable(config.endpoint)), () =>
    HttpTransport.get(tokenUrl(config.endpoint, API_VERSION, resource), { Metadata: "true" })
  )

/**
 * The key file path of a `WWW-Authenticate: Basic realm=<path>` challenge, or why there is none.
 *
 * @since 0.1.0
 * @category challenge
 * @example
 * ```ts
 * import { AzureArcSource } from "@managed-identity/core"
 *
 * AzureArcSource.challengePath("Basic realm=/var/opt/azcmagent/tokens/abc.key")
 * // { _tag: "Right", right: "/var/opt/azcmagent/tokens/abc.key" }
 * ```
 */
export const challengePath = (header: string | undefined): Either.Either<string, string> => {
  if (header === undefined || header.trim() === "") return Either.left("the 401 answer has no WWW-Authenticate header")
  const match = /^\s*Basic\s+realm\s*=\s*(?:"([^"]*)"|(\S.*?))\s*$/i.exec(header)
  const path = match === null ? undefined : (match[1] ?? match[2])
  if (path === undefined || path === "") {
    return Either.left("the WWW-Authenticate header is not of the form Basic realm=<key file path>")
  }
  return Either.right(path)
}

/**
 * The lexical rules a key file path must pass before anything touches the file system: inside
 * the key directory (after resolving `..`), and a name ending in `.key`. Returns the rule
 * broken, if any.
 *
 * @since 0.1.0
 * @category challenge
 * @example
 * ```ts
 * import { AzureArcSource } from "@managed-identity/core"
 *
 * const config = { endpoint: new URL(AzureArcSource.DEFAULT_ENDPOINT), keyDirectory: "/var/opt/azcmagent/tokens", platform: "posix" as const }
 * AzureArcSource.keyPathViolation(config, "/var/opt/azcmagent/tokens/../../../etc/shadow.key")
 * // "it is outside the agent's token directory /var/opt/azcmagent/tokens"
 * ```
 */
export const keyPathViolation = (config: Config, path: string, directory = config.keyDirectory): string | undefined => {
  const name = baseName(path)
  const extension = config.platform === "windows" ? name.toLowerCase() : name
  if (!extension.endsWith(".key") || name.length <= 4) return "its name does not end in .key"
  if (!isInside(directory, path, config.platform)) return `it is outside the agent's token directory ${directory}`
  return undefined
}

/**
 * The second request: the first one with `Authorization: Basic <key file contents>`.
 *
 * @since 0.1.0
 * @category challenge
 * @example
 * ```ts
 *  * import { AzureArcSource } from "@managed-identity/core"
 *
 * AzureArcSource.authorize(HttpTransport.get("http://127.0.0.1:40342/metadata/identity/oauth2/token"), "secret")
 * ```
 */
export const authorize = (request: HttpTransport.Request, key: string): HttpTransport.Request =>
  HttpTransport.setHeader(request, "Authorization", `Basic ${key}`)

/**
 * The Azure Arc source, with its challenge flow.
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import { AzureArcSource } from "@managed-identity/core"
 *
 * const source = AzureArcSource.make({
 *   endpoint: new URL(AzureArcSource.DEFAULT_ENDPOINT),
 *   keyDirectory: AzureArcSource.DEFAULT_KEY_DIRECTORY.posix,
 *   platform: "posix"
 * })
 * ```
 */
export const make = (config: Config): Source => {
  const endpoint = Endpoint.printable(config.endpoint)
  return {
    name: "AzureArc",
    descriptor,
    endpoint,
    files: [{ path: config.keyDirectory, kind: "directory", purpose: "the agent's key files" }],
    acquire: ({ identity, resource }) =>
      Effect.gen(function* () {
        const first = yield* request(config, identity, resource)
        const client = yield* HttpTransport.HttpTransport
        const startedAt = yield* Clock.currentTimeMillis
        const exchange: Exchange = {
          source: "AzureArc",
          rules: descriptor.classification,
          endpoint,
          resource,
          secrets: [],
          startedAt,
          attempts: 1
        }
        const answer = yield* send(client, first, exchange)
        if (answer.status !== 401) {
          return yield* interpret(answer, exchange, yield* Clock.currentTimeMillis)
        }
        const key = yield* readKey(config, answer.headers["www-authenticate"], exchange)
        const second: Exchange = { ...exchange, secrets: [key], attempts: 2 }
        const retried = yield* send(client, authorize(first, key), second)
        return yield* interpret(retried, second, yield* Clock.currentTimeMillis)
      })
  }
}

/**
 * Everything about Azure Arc-enabled servers.
 *
 * @since 0.1.0
 * @category descriptors
 * @example
 * ```ts
 * import { AzureArcSource } from "@managed-identity/core"
 *
 * AzureArcSource.descriptor.installedAt?.("posix", undefined) // "/opt/azcmagent/bin/himds"
 * ```
 */
export const descriptor: Descriptor = {
  name: "AzureArc",
  displayName: "Azure Arc",
  variables: [
    {
      variable: IDENTITY_ENDPOINT,
      role: "token endpoint",
      required: true,
      signals: false,
      check: Endpoint.check(IDENTITY_ENDPOINT.name)
    },
    {
      variable: IMDS_ENDPOINT,
      role: "metadata endpoint",
      required: true,
      signals: true,
      check: Endpoint.check(IMDS_ENDPOINT.name)
    }
  ],
  installedAt: (platform, options) => options?.arcAgentPath ?? DEFAULT_AGENT_PATH[platform],
  identities,
  certificatePinning: false,
  claims: "none",
  retry: RetryPolicy.appService,
  classification: {},
  advice: {
    selected: (variables, context) =>
      variables[IDENTITY_ENDPOINT.name] && variables[IMDS_ENDPOINT.name]
        ? `${IDENTITY_ENDPOINT.name} and ${IMDS_ENDPOINT.name} are set, so tokens come from the Azure Arc agent, which proves the caller's privilege with a key file in its token directory.`
        : context.installed.includes("AzureArc")
          ? "The Azure Arc agent is installed on this machine, so tokens come from its local endpoint, which proves the caller's privilege with a key file in its token directory."
          : "Azure Arc is selected.",
    unreachable: `Check that the Azure Arc agent runs (azcmagent show) and that ${IDENTITY_ENDPOINT.name} names it.`,
    slow: "The Azure Arc agent is overloaded or starting up; the request is retried with exponential backoff.",
    userAssigned: "Azure Arc serves the machine's system-assigned identity only: use it here."
  },
  build: (variables, context) =>
    Either.map(
      fromVariables(variables, {
        platform: context.platform,
        agentInstalled: context.installed.includes("AzureArc"),
        keyDirectory: context.options?.arcKeyDirectory,
        allowNonLocalEndpoint: context.options?.allowNonLocalEndpoint
      }),
      make
    )
}

// Every check happens before `readText`: a path that fails one is never opened.
const readKey = (
  config: Config,
  header: string | undefined,
  exchange: Exchange
): Effect.Effect<string, EndpointError, FileReader> =>
  Effect.gen(function* () {
    const elapsed = Effect.map(Clock.currentTimeMillis, (now) => Math.max(0, now - exchange.startedAt))
    const context = { source: "AzureArc" as const, status: 401, attempts: 1, endpoint: exchange.endpoint }
    const challenge = challengePath(header)
    if (Either.isLeft(challenge)) {
      return yield* Effect.fail(
        new InvalidResponse({
          ...context,
          elapsedMs: yield* elapsed,
          reason: "challenge",
          message: `AzureArc answered 401 but ${challenge.left}`
        })
      )
    }
    const path = challenge.right
    const refuse = (rule: string) =>
      Effect.flatMap(elapsed, (elapsedMs) =>
        Effect.fail(
          new Rejected({
            ...context,
            elapsedMs,
            error: "invalid_key_file",
            message: `AzureArc: refused to read the key file "${quote(path, [], 160)}" named by the challenge: ${rule}`
          })
        )
      )
    const lexical = keyPathViolation(config, path)
    if (lexical !== undefined) return yield* refuse(lexical)

    const files = yield* FileReader
    const realPath = yield* Effect.either(files.realPath(path))
    if (Either.isLeft(realPath)) return yield* refuse(`it cannot be resolved (${realPath.left.reason})`)
    // The directory itself may be a link; compare canonical paths when it can be resolved.
    const realDirectory = yield* Effect.orElseSucceed(files.realPath(config.keyDirectory), () => config.keyDirectory)
    const resolved = keyPathViolation(config, realPath.right, realDirectory)
    if (resolved !== undefined) return yield* refuse(`it is a link to a file that breaks the rules: ${resolved}`)

    const info = yield* Effect.either(files.stat(realPath.right))
    if (Either.isLeft(info)) return yield* refuse(`it cannot be inspected (${info.left.reason})`)
    if (!info.right.isFile) return yield* refuse("it is not a regular file")
    if (info.right.size > MAX_KEY_BYTES) return yield* refuse(`it is larger than ${MAX_KEY_BYTES} bytes`)

    const contents = yield* Effect.either(files.readText(realPath.right, { maxBytes: MAX_KEY_BYTES }))
    if (Either.isLeft(contents)) return yield* refuse(`it cannot be read (${contents.left.reason})`)
    const key = contents.right.trim()
    if (!isHeaderValue(key)) return yield* refuse("its contents cannot be sent in an HTTP header")
    return key
  })
