/**
 * The running emulator: option checks, the two listeners, routing, fault application and the
 * public `Emulator` object.
 */
import { randomBytes, randomUUID } from "node:crypto"
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { writeFile } from "node:fs/promises"
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from "node:http"
import { createServer as createHttpsServer } from "node:https"
import type { Socket } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import type {
  Emulator,
  EmulatorOptions,
  FederatedTokenOptions,
  IdentityInput,
  ManagedIdentity,
  Source
} from "../Emulator.js"
import type { EndpointName, Fault, FaultAction, FaultDefinition, FaultTarget } from "../Fault.js"
import { FaultSyntaxError } from "../Fault.js"
import { type AdminApi, handleAdmin } from "./admin.js"
import { ArcKeys } from "./arcKeys.js"
import { generateCertificate } from "./certificate.js"
import * as Entra from "./entra.js"
import { EmulatorOptionsError } from "./errors.js"
import { FaultEngine } from "./faults.js"
import { parseFault, validateFault } from "./faultSyntax.js"
import { IdentityStore, parseIdentitySpec, tokenExchangeAudience } from "./identities.js"
import { generateSigningKey } from "./jwt.js"
import { Listener } from "./listener.js"
import * as Protocols from "./protocols.js"
import { faultReply, htmlReply, imdsError, json, type Reply } from "./replies.js"
import { type LogEntry, RequestLog, redactHeaders, redactParams } from "./requestLog.js"
import { issueToken } from "./tokens.js"

/** Bodies above this are refused: no token request needs more, and clients cap responses at 64 KiB too. */
const maxRequestBody = 64 * 1024
const oversizedPadding = 70 * 1024
const defaultSubject = "system:serviceaccount:default:workload-identity-sa"

type Route =
  | { readonly kind: "endpoint"; readonly endpoint: Exclude<EndpointName, "entra" | "discovery"> }
  | { readonly kind: "entra"; readonly tenant: string }
  | {
      readonly kind: "discovery"
      readonly document: "jwks" | "openid" | "instance" | "issuer"
      readonly tenant: string
    }
  | { readonly kind: "admin"; readonly path: ReadonlyArray<string> }
  | { readonly kind: "unknown" }

const tokenPaths: Record<string, Exclude<EndpointName, "entra" | "discovery">> = {
  "/metadata/identity/oauth2/token": "imds",
  "/appservice/msi/token": "appservice",
  "/azureml/msi/token": "azureml",
  "/cloudshell/oauth2/token": "cloudshell",
  "/arc/metadata/identity/oauth2/token": "arc",
  "/servicefabric/metadata/identity/oauth2/token": "servicefabric"
}

/** Maps a path to its endpoint; fixed paths match case-insensitively and with or without a trailing slash. */
export const route = (pathname: string): Route => {
  const trimmed = pathname.length > 1 && pathname.endsWith("/") ? pathname.slice(0, -1) : pathname
  const lower = trimmed.toLowerCase()
  const endpoint = tokenPaths[lower]
  if (endpoint !== undefined) return { kind: "endpoint", endpoint }
  const segments = trimmed.split("/").slice(1)
  if (segments[0]?.toLowerCase() === "admin") return { kind: "admin", path: segments.slice(1) }
  if (lower === "/.well-known/jwks.json" || lower === "/discovery/keys" || lower === "/oidc/keys")
    return { kind: "discovery", document: "jwks", tenant: "common" }
  if (lower === "/oidc/.well-known/openid-configuration") return { kind: "discovery", document: "issuer", tenant: "" }
  const [tenant, ...rest] = segments
  if (tenant === undefined || tenant === "") return { kind: "unknown" }
  const tail = rest.join("/").toLowerCase()
  if (tail === "oauth2/v2.0/token") return { kind: "entra", tenant }
  if (tail === "discovery/keys" || tail === "discovery/v2.0/keys")
    return { kind: "discovery", document: "jwks", tenant }
  if (tail === "v2.0/.well-known/openid-configuration" || tail === ".well-known/openid-configuration")
    return { kind: "discovery", document: "openid", tenant }
  if (tail === "discovery/instance") return { kind: "discovery", document: "instance", tenant }
  return { kind: "unknown" }
}

const endpointOf = (r: Route): EndpointName | "unknown" =>
  r.kind === "endpoint" ? r.endpoint : r.kind === "entra" ? "entra" : r.kind === "discovery" ? "discovery" : "unknown"

/** Any absolute URI (`https://…`, `api://…`) or an application id (GUID). */
const isResourceLike = (resource: string): boolean => {
  if (/\s/.test(resource)) return false
  if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(resource)) return true
  try {
    return new URL(resource).protocol.length > 1
  } catch {
    return false
  }
}

const normalizeResource = (resource: string): string => resource.replace(/\/+$/, "").toLowerCase()

const readBody = (request: IncomingMessage): Promise<Buffer | "too-large"> =>
  new Promise((resolve, reject) => {
    const chunks: Array<Buffer> = []
    let size = 0
    let tooLarge = false
    request.on("data", (chunk: Buffer) => {
      size += chunk.length
      if (size > maxRequestBody) tooLarge = true
      else chunks.push(chunk)
    })
    request.on("end", () => resolve(tooLarge ? "too-large" : Buffer.concat(chunks)))
    request.on("error", reject)
  })

const checkOptions = (options: EmulatorOptions): string | undefined => {
  if (options.host !== undefined && options.host !== "127.0.0.1" && options.host !== "localhost")
    return `The emulator binds to 127.0.0.1 only; host "${options.host}" is not allowed (a managed-identity endpoint must never be reachable from another machine)`
  for (const [name, port] of [
    ["port", options.port],
    ["httpsPort", options.httpsPort]
  ] as const) {
    if (port !== undefined && !(Number.isInteger(port) && port >= 0 && port <= 65535))
      return `${name} must be an integer from 0 to 65535, got ${String(port)}`
  }
  const lifetime = options.tokenLifetimeSeconds
  if (lifetime !== undefined && !(Number.isInteger(lifetime) && lifetime > 0))
    return `tokenLifetimeSeconds must be a positive integer, got ${String(lifetime)}`
  return undefined
}

const toFaultDefinition = (fault: FaultDefinition | string): FaultDefinition => {
  if (typeof fault === "string") {
    const parsed = parseFault(fault)
    if (typeof parsed === "string") throw new FaultSyntaxError(fault, parsed)
    return parsed
  }
  const reason = validateFault(fault)
  if (reason !== undefined) throw new FaultSyntaxError(JSON.stringify(fault), reason)
  return fault
}

const toIdentityInput = (identity: IdentityInput | string): IdentityInput => {
  if (typeof identity !== "string") return identity
  const parsed = parseIdentitySpec(identity)
  if (typeof parsed === "string") throw new EmulatorOptionsError(parsed)
  return parsed
}

const writeReply = (response: ServerResponse, reply: Reply): void => {
  response.writeHead(reply.status, { ...reply.headers, "content-length": Buffer.byteLength(reply.body) })
  response.end(reply.body)
}

/** Starts the emulator (see `Emulator.start`). */
export const startEmulator = async (options: EmulatorOptions): Promise<Emulator> => {
  const invalid = checkOptions(options)
  if (invalid !== undefined) throw new EmulatorOptionsError(invalid)
  const faultDefinitions = (options.faults ?? []).map(toFaultDefinition)
  const identityInputs = (options.identities ?? [{ kind: "system" as const }]).map(toIdentityInput)

  const now = options.now ?? Date.now
  const random = options.random ?? Math.random
  const tenantId = options.tenantId ?? randomUUID()
  const secret = options.secret ?? randomBytes(24).toString("base64url")
  const lifetimeSeconds = options.tokenLifetimeSeconds ?? 86_400
  const legacyExpiresOn = options.legacyExpiresOn ?? "date"
  const allowedResources =
    options.resources === undefined ? undefined : new Set(options.resources.map(normalizeResource))
  const acceptsResource = (resource: string): boolean =>
    isResourceLike(resource) && (allowedResources === undefined || allowedResources.has(normalizeResource(resource)))

  const stateDirectory = mkdtempSync(join(tmpdir(), "managed-identity-emulator-"))
  const keyDirectory = options.keyDirectory ?? join(stateDirectory, "tokens")
  mkdirSync(keyDirectory, { recursive: true, mode: 0o700 })
  const defaultTokenFile = join(stateDirectory, "federated-token")

  const identities = new IdentityStore(options.subscriptionId ?? randomUUID())
  for (const input of identityInputs) identities.add(input)
  const key = generateSigningKey()
  // TLS clients check validity against the real clock, never the injected one.
  const certificate = await generateCertificate(Date.now())
  const log = new RequestLog(now)
  const engine = new FaultEngine(now, random)
  const arcKeys = new ArcKeys(keyDirectory)
  const timers = new Set<NodeJS.Timeout>()
  let closed = false
  let adminApi: AdminApi | undefined

  const later = (ms: number, run: () => void): void => {
    const timer = setTimeout(() => {
      timers.delete(timer)
      run()
    }, ms)
    timers.add(timer)
  }
  const sleep = (ms: number) => new Promise<void>((resolve) => later(ms, resolve))

  const issue = (identity: ManagedIdentity, audience: string) =>
    issueToken({ key, tenantId, lifetimeSeconds, now }, identity, audience)

  const protocolContext: Protocols.ProtocolContext = {
    identities,
    issue,
    secret,
    tenantId,
    legacyExpiresOn,
    missingMetadataError: options.missingMetadataError ?? "invalid_request",
    acceptsResource,
    arcChallenge: () => arcKeys.challenge(),
    arcAccepts: (candidate) => arcKeys.accepts(candidate)
  }

  // A bug in a handler must answer 500, not crash the process the emulator runs in.
  const guarded = (scheme: "http" | "https") => (request: IncomingMessage, response: ServerResponse) => {
    // Deferred, so a request arriving while start() is still wiring things up fails as a 500 too.
    Promise.resolve()
      .then(() => handle(request, response, scheme))
      .catch(() => {
        if (response.headersSent) response.destroy()
        else writeReply(response, imdsError(500, "unknown", "The emulator failed to handle this request"))
      })
  }
  // The admin API's connections survive `refuse`, so it can answer (and later clear) the refusal.
  const adminSockets = new WeakSet<Socket>()
  const http = new Listener(createHttpServer(guarded("http")), (socket) => adminSockets.has(socket))
  const https = new Listener(
    createHttpsServer({ cert: certificate.certificate, key: certificate.privateKey }, guarded("https"))
  )
  try {
    await http.listen(options.port ?? 0)
    await https.listen(options.httpsPort ?? 0)
  } catch (error) {
    // A taken port: leave nothing behind (no listener, no temporary files).
    await Promise.all([http.close(), https.close()])
    rmSync(stateDirectory, { recursive: true, force: true })
    throw error
  }
  const url = `http://127.0.0.1:${http.port}`
  const httpsUrl = `https://127.0.0.1:${https.port}`
  const entraContext: Entra.EntraContext = {
    identities,
    tenantId,
    key,
    federatedIssuer: `${url}/oidc`,
    issue,
    acceptsResource,
    now
  }

  // --- faults --------------------------------------------------------------------------------

  const followRefusals = (): Promise<void> => {
    const refusals = engine.refusals()
    const refusesHttp = refusals.some((fault) => fault.target !== "servicefabric")
    const refusesHttps = refusals.some((fault) => fault.target === "servicefabric" || fault.target === "*")
    return Promise.all([http.refuse(refusesHttp), https.refuse(refusesHttps)]).then(() => undefined)
  }

  const addFault = (input: FaultDefinition | string): Fault => {
    const fault = engine.add(toFaultDefinition(input))
    if (fault.action.kind === "refuse") {
      // The window runs on real time: the listener must come back even if the injected clock stands still.
      if (fault.durationMs !== undefined)
        later(fault.durationMs, () => {
          engine.remove(fault.id)
          void followRefusals()
        })
      void followRefusals()
    }
    return fault
  }

  const faults = {
    add: addFault,
    remove: (id: string) => {
      const removed = engine.remove(id)
      void followRefusals()
      return removed
    },
    clear: (target?: FaultTarget) => {
      engine.clear(target)
      void followRefusals()
    },
    list: () => engine.list(),
    settled: () => Promise.all([http.settled(), https.settled()]).then(() => undefined)
  }
  for (const definition of faultDefinitions) addFault(definition)

  // --- requests ------------------------------------------------------------------------------

  const normalReply = (
    r: Route,
    method: string,
    query: URLSearchParams,
    request: IncomingMessage,
    form: URLSearchParams,
    base: string,
    pathname: string
  ): { reply: Reply; identity?: ManagedIdentity } => {
    const protocolRequest = { method, query, headers: request.headers, form }
    switch (r.kind) {
      case "endpoint":
        switch (r.endpoint) {
          case "imds":
            return Protocols.imds(protocolContext, protocolRequest)
          case "arc":
            return Protocols.arc(protocolContext, protocolRequest)
          case "cloudshell":
            return Protocols.cloudShell(protocolContext, protocolRequest)
          case "appservice":
            return Protocols.appService(protocolContext, protocolRequest)
          case "azureml":
            return Protocols.azureMl(protocolContext, protocolRequest)
          case "servicefabric":
            return Protocols.serviceFabric(protocolContext, protocolRequest)
        }
        break
      case "entra":
        return Entra.token(entraContext, r.tenant, method, form)
      case "discovery":
        switch (r.document) {
          case "jwks":
            return { reply: json(200, Entra.jwks(key.jwk)) }
          case "openid":
            return { reply: json(200, Entra.openIdConfiguration(entraContext, base, r.tenant)) }
          case "instance":
            return { reply: json(200, Entra.instanceDiscovery(base, r.tenant)) }
          case "issuer":
            return { reply: json(200, Entra.issuerConfiguration(entraContext)) }
        }
        break
      default:
        break
    }
    return { reply: imdsError(404, "not_found", `No emulated endpoint at ${pathname}`) }
  }

  const answer = (
    response: ServerResponse,
    entry: LogEntry,
    reply: Reply,
    outcome: "answered" | "faulted",
    spec?: string
  ) => {
    writeReply(response, reply)
    entry.finish(outcome, reply.status, spec)
  }

  /** Sends `reply` in small pieces over `ms` milliseconds. */
  const dribble = (response: ServerResponse, entry: LogEntry, reply: Reply, ms: number, spec: string) => {
    const body = Buffer.from(reply.body)
    response.writeHead(reply.status, { ...reply.headers, "content-length": body.length })
    response.flushHeaders()
    const pieces = Math.max(1, Math.min(20, body.length))
    const size = Math.ceil(body.length / pieces)
    let sent = 0
    const step = () => {
      if (response.destroyed) return entry.finish("aborted", reply.status, spec)
      response.write(body.subarray(sent, sent + size))
      sent += size
      if (sent >= body.length) {
        response.end()
        entry.finish("faulted", reply.status, spec)
      } else later(ms / pieces, step)
    }
    later(ms / pieces, step)
  }

  const applyFault = (
    action: FaultAction,
    spec: string,
    endpoint: EndpointName | "unknown",
    request: IncomingMessage,
    response: ServerResponse,
    entry: LogEntry,
    normal: () => Reply
  ) => {
    switch (action.kind) {
      case "status":
        return answer(
          response,
          entry,
          faultReply(endpoint, action.status, now(), action.retryAfterSeconds),
          "faulted",
          spec
        )
      case "throttle":
        return answer(response, entry, faultReply(endpoint, 429, now(), action.retryAfterSeconds ?? 1), "faulted", spec)
      case "html":
        return answer(response, entry, htmlReply(action.status), "faulted", spec)
      case "malformed":
        return answer(
          response,
          entry,
          {
            status: 200,
            headers: { "content-type": "application/json; charset=utf-8" },
            body: '{"access_token":"eyJ0eXAiOiJKV1QiLCJhbGciOi'
          },
          "faulted",
          spec
        )
      case "blackhole":
        // Accepted and never answered; the entry stays pending and close() ends the socket.
        entry.noteFault(spec)
        return
      case "reset":
        entry.finish("faulted", undefined, spec)
        request.socket.resetAndDestroy()
        return
      case "refuse":
        // Requests that were already on a connection when the port stopped listening: drop them.
        entry.finish("faulted", undefined, spec)
        request.socket.destroy()
        return
      case "truncate": {
        const reply = normal()
        const body = Buffer.from(reply.body)
        response.writeHead(reply.status, { ...reply.headers, "content-length": body.length + 1024 })
        response.write(body.subarray(0, Math.ceil(body.length / 2)), () => request.socket.destroy())
        entry.finish("faulted", reply.status, spec)
        return
      }
      case "slow":
        return dribble(response, entry, normal(), action.ms, spec)
      case "oversized": {
        const reply = normal()
        let value: unknown
        try {
          value = JSON.parse(reply.body)
        } catch {
          value = { body: reply.body }
        }
        const padded =
          typeof value === "object" && value !== null && !Array.isArray(value)
            ? { ...value, padding: "x".repeat(oversizedPadding) }
            : { value, padding: "x".repeat(oversizedPadding) }
        return answer(response, entry, { ...reply, body: JSON.stringify(padded) }, "faulted", spec)
      }
      case "latency":
        return answer(response, entry, normal(), "answered")
    }
  }

  const handle = async (request: IncomingMessage, response: ServerResponse, scheme: "http" | "https") => {
    const method = request.method ?? "GET"
    const base = scheme === "http" ? url : httpsUrl
    const parsed = new URL(request.url ?? "/", base)
    const r = route(parsed.pathname)
    const body =
      method === "GET" || method === "HEAD" ? Buffer.alloc(0) : await readBody(request).catch(() => undefined)
    if (body === undefined || closed) return
    if (r.kind === "admin") {
      adminSockets.add(request.socket)
      if (adminApi === undefined) return writeReply(response, json(503, { error: "starting" }))
      const reply = await handleAdmin(
        adminApi,
        method,
        r.path,
        parsed.searchParams,
        body === "too-large" ? undefined : body
      )
      return writeReply(response, reply)
    }
    const endpoint = endpointOf(r)
    const isForm = (request.headers["content-type"] ?? "").toLowerCase().startsWith("application/x-www-form-urlencoded")
    const form = body !== "too-large" && isForm ? new URLSearchParams(body.toString("utf8")) : new URLSearchParams()
    const entry = log.begin({
      endpoint,
      scheme,
      method,
      path: parsed.pathname,
      query: redactParams(parsed.searchParams),
      headers: redactHeaders(request.headers),
      ...(isForm && body !== "too-large" ? { form: redactParams(form) } : {})
    })
    response.on("close", () => {
      if (!response.writableFinished) entry.finish("aborted")
    })
    if (body === "too-large")
      return answer(response, entry, imdsError(413, "invalid_request", "Request body too large"), "answered")

    const decision = endpoint === "unknown" ? { latencyMs: 0, latencySpecs: [] } : engine.decide(endpoint)
    for (const spec of decision.latencySpecs) entry.noteFault(spec)
    if (decision.latencyMs > 0) await sleep(decision.latencyMs)
    if (closed || response.destroyed) return

    const normal = (): Reply => {
      const outcome = normalReply(r, method, parsed.searchParams, request, form, base, parsed.pathname)
      if (outcome.identity !== undefined) entry.setIdentity(outcome.identity.clientId)
      return outcome.reply
    }
    if (decision.action !== undefined && decision.spec !== undefined && endpoint !== "unknown")
      return applyFault(decision.action, decision.spec, endpoint, request, response, entry, normal)
    answer(response, entry, normal(), "answered")
  }

  // --- federated tokens and environment ------------------------------------------------------

  const mintFederatedToken = (tokenOptions: FederatedTokenOptions = {}): string =>
    Entra.mintFederatedToken(entraContext, {
      subject: tokenOptions.subject ?? defaultSubject,
      audience: tokenOptions.audience ?? tokenExchangeAudience,
      lifetimeSeconds: tokenOptions.lifetimeSeconds ?? 3600
    })

  let defaultTokenWritten = false
  const writeDefaultTokenFile = (): void => {
    writeFileSync(defaultTokenFile, mintFederatedToken(), { mode: 0o600 })
    if (!defaultTokenWritten) {
      defaultTokenWritten = true
      // Rotate it like the kubelet rotates projected service-account tokens, well before expiry.
      const rotate = setInterval(() => {
        if (!closed) writeFileSync(defaultTokenFile, mintFederatedToken(), { mode: 0o600 })
      }, 600_000)
      rotate.unref()
      timers.add(rotate)
    }
  }

  const workloadIdentity = (): ManagedIdentity | undefined => identities.systemAssigned() ?? identities.list()[0]

  const envFor = (source: Source): Readonly<Record<string, string>> => {
    switch (source) {
      case "imds":
        return { AZURE_POD_IDENTITY_AUTHORITY_HOST: url }
      case "appservice":
        return { IDENTITY_ENDPOINT: `${url}/appservice/msi/token`, IDENTITY_HEADER: secret }
      case "azureml": {
        const system = identities.systemAssigned()
        return {
          MSI_ENDPOINT: `${url}/azureml/msi/token`,
          MSI_SECRET: secret,
          ...(system === undefined ? {} : { DEFAULT_IDENTITY_CLIENT_ID: system.clientId })
        }
      }
      case "cloudshell":
        return { MSI_ENDPOINT: `${url}/cloudshell/oauth2/token` }
      case "arc":
        return { IDENTITY_ENDPOINT: `${url}/arc/metadata/identity/oauth2/token`, IMDS_ENDPOINT: `${url}/arc` }
      case "servicefabric":
        return {
          IDENTITY_ENDPOINT: `${httpsUrl}/servicefabric/metadata/identity/oauth2/token`,
          IDENTITY_HEADER: secret,
          IDENTITY_SERVER_THUMBPRINT: certificate.thumbprint
        }
      case "workloadidentity": {
        writeDefaultTokenFile()
        const identity = workloadIdentity()
        return {
          AZURE_AUTHORITY_HOST: url,
          AZURE_FEDERATED_TOKEN_FILE: defaultTokenFile,
          ...(identity === undefined ? {} : { AZURE_CLIENT_ID: identity.clientId }),
          AZURE_TENANT_ID: tenantId
        }
      }
    }
  }

  const identityRegistry = {
    list: () => identities.list(),
    systemAssigned: () => identities.systemAssigned(),
    add: (identity: IdentityInput | string) => identities.add(toIdentityInput(identity)),
    remove: (id: string) => identities.remove(id)
  }

  const requests = {
    all: (endpoint?: EndpointName | "unknown") => log.all(endpoint),
    last: (endpoint?: EndpointName | "unknown") => log.all(endpoint).at(-1),
    count: (endpoint?: EndpointName | "unknown") => log.all(endpoint).length,
    counters: () => log.counters(),
    clear: () => log.clear()
  }

  const close = async (): Promise<void> => {
    if (closed) return
    closed = true
    for (const timer of timers) clearTimeout(timer)
    timers.clear()
    await Promise.all([http.close(), https.close()])
    arcKeys.dispose()
    rmSync(stateDirectory, { recursive: true, force: true })
  }

  const emulator: Emulator = {
    url,
    port: http.port,
    httpsUrl,
    httpsPort: https.port,
    get env() {
      return envFor("imds")
    },
    envFor,
    requests,
    faults,
    identities: identityRegistry,
    jwks: Entra.jwks(key.jwk),
    thumbprint: certificate.thumbprint,
    certificate: certificate.certificate,
    keyDirectory,
    tenantId,
    secret,
    federatedIssuer: entraContext.federatedIssuer,
    mintFederatedToken,
    writeFederatedTokenFile: async (path, tokenOptions) => {
      if (path === undefined && tokenOptions === undefined) {
        writeDefaultTokenFile()
        return defaultTokenFile
      }
      const target = path ?? defaultTokenFile
      await writeFile(target, mintFederatedToken(tokenOptions), { mode: 0o600 })
      return target
    },
    close
  }

  // Not enumerable, so logging or serializing the emulator object does not print the secret.
  Object.defineProperty(emulator, "secret", { enumerable: false })
  adminApi = { emulator, faults, requests, identities: identityRegistry }
  await faults.settled()
  return emulator
}
