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
import * as Either from "effect/Either"
import type { Platform, Variables } from "./Environment.js"
import * as HttpRequest from "./HttpRequest.js"
import type { Identity } from "./Identity.js"
import { type InvalidArgument, InvalidResponse, Rejected, type Unavailable } from "./ManagedIdentityError.js"
import type { Resource } from "./Resource.js"
import * as RetryPolicy from "./internal/retryPolicy.js"
import type { Descriptor, Exchange, IdentitySupport, Moment, Source, Step, Variable } from "./Source.js"
import * as Endpoint from "./internal/endpoint.js"
import { IDENTITY_ENDPOINT } from "./internal/hostVariables.js"
import { baseName, isInside } from "./internal/pathContainment.js"
import {
  failed,
  identityParameter,
  interpret,
  isHeaderValue,
  readVariables,
  send,
  settle,
  tokenUrl
} from "./internal/protocol.js"
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
): Either.Either<HttpRequest.Request, Unavailable> =>
  Either.map(identityParameter("AzureArc", identities, identity, Endpoint.printable(config.endpoint)), () =>
    HttpRequest.get(tokenUrl(config.endpoint, API_VERSION, resource), { Metadata: "true" })
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
 * AzureArcSource.authorize(HttpRequest.get("http://127.0.0.1:40342/metadata/identity/oauth2/token"), "secret")
 * ```
 */
export const authorize = (request: HttpRequest.Request, key: string): HttpRequest.Request =>
  HttpRequest.setHeader(request, "Authorization", `Basic ${key}`)

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
    start: ({ identity, resource }) => {
      const first = request(config, identity, resource)
      if (Either.isLeft(first)) return failed(first.left)
      const exchange: Exchange = {
        source: "AzureArc",
        rules: descriptor.classification,
        endpoint,
        resource,
        secrets: []
      }
      return send(exchange, first.right, {
        next: (answer, at) =>
          answer.status !== 401
            ? settle(interpret(answer, exchange, at))
            : readKey(config, answer.headers["www-authenticate"], exchange, at, (key) => {
                const second: Exchange = { ...exchange, secrets: [key] }
                return send(second, authorize(first.right, key))
              })
      })
    }
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

// Every check happens before `ReadText`: a path that fails one is never opened.
const readKey = (
  config: Config,
  header: string | undefined,
  exchange: Exchange,
  challenged: Moment,
  withKey: (key: string) => Step
): Step => {
  const context = {
    source: "AzureArc" as const,
    status: 401,
    attempts: challenged.requests,
    endpoint: exchange.endpoint
  }
  const challenge = challengePath(header)
  if (Either.isLeft(challenge)) {
    return failed(
      new InvalidResponse({
        ...context,
        elapsedMs: challenged.elapsedMs,
        reason: "challenge",
        message: `AzureArc answered 401 but ${challenge.left}`
      })
    )
  }
  const path = challenge.right
  const refuse = (rule: string, at: Moment): Step =>
    failed(
      new Rejected({
        ...context,
        elapsedMs: at.elapsedMs,
        error: "invalid_key_file",
        message: `AzureArc: refused to read the key file "${quote(path, [], 160)}" named by the challenge: ${rule}`
      })
    )
  const lexical = keyPathViolation(config, path)
  if (lexical !== undefined) return refuse(lexical, challenged)
  return {
    _tag: "RealPath",
    path,
    next: (realPath, at) => {
      if (Either.isLeft(realPath)) return refuse(`it cannot be resolved (${realPath.left.reason})`, at)
      // The directory itself may be a link; compare canonical paths when it can be resolved.
      return {
        _tag: "RealPath",
        path: config.keyDirectory,
        next: (realDirectory, at) => {
          const directory = Either.getOrElse(realDirectory, () => config.keyDirectory)
          const resolved = keyPathViolation(config, realPath.right, directory)
          if (resolved !== undefined) return refuse(`it is a link to a file that breaks the rules: ${resolved}`, at)
          return {
            _tag: "Stat",
            path: realPath.right,
            next: (info, at) => {
              if (Either.isLeft(info)) return refuse(`it cannot be inspected (${info.left.reason})`, at)
              if (!info.right.isFile) return refuse("it is not a regular file", at)
              if (info.right.size > MAX_KEY_BYTES) return refuse(`it is larger than ${MAX_KEY_BYTES} bytes`, at)
              return {
                _tag: "ReadText",
                path: realPath.right,
                maxBytes: MAX_KEY_BYTES,
                next: (contents, at) => {
                  if (Either.isLeft(contents)) return refuse(`it cannot be read (${contents.left.reason})`, at)
                  const key = contents.right.trim()
                  if (!isHeaderValue(key)) return refuse("its contents cannot be sent in an HTTP header", at)
                  return withKey(key)
                }
              }
            }
          }
        }
      }
    }
  }
}
