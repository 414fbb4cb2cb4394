/**
 * The admin API under `/admin`, for tests and tools in other processes: faults, the request log,
 * identities, the environment and federated tokens. Its own requests are not recorded or faulted;
 * `adminGuard` has already refused those a browser page could have sent.
 */
import type { Emulator, FaultController, IdentityRegistry, RequestLog } from "../Emulator.js"
import type { EndpointName, FaultDefinition, FaultTarget } from "../Fault.js"
import { parseSource } from "./environment.js"
import { EmulatorOptionsError } from "./errors.js"
import { endpoints, parseFault, validateFault } from "./faultSyntax.js"
import { json, type Reply } from "./replies.js"

export interface AdminApi {
  readonly emulator: Emulator
  readonly faults: FaultController
  readonly requests: RequestLog
  readonly identities: IdentityRegistry
}

const badRequest = (message: string): Reply => json(400, { error: "bad_request", message })
const notFound = (message: string): Reply => json(404, { error: "not_found", message })
const methodNotAllowed = (allowed: string): Reply =>
  json(405, { error: "method_not_allowed", message: `Use ${allowed}` }, { allow: allowed })

/** The JSON body (`undefined` when empty), or `invalid`: the guard lets only JSON content types through. */
const parseBody = (body: Buffer | undefined): { readonly value: unknown } | "invalid" => {
  const text = body?.toString("utf8").trim() ?? ""
  if (text === "") return { value: undefined }
  try {
    return { value: JSON.parse(text) }
  } catch {
    return "invalid"
  }
}

/** Fault specs or definitions from any of the accepted body shapes. */
const faultInputs = (value: unknown): ReadonlyArray<unknown> => {
  if (Array.isArray(value)) return value
  if (typeof value === "object" && value !== null) {
    const record = value as Record<string, unknown>
    if (Array.isArray(record.specs)) return record.specs
    if (typeof record.spec === "string") return [record.spec]
  }
  return value === undefined ? [] : [value]
}

const toDefinition = (input: unknown): FaultDefinition | string => {
  if (typeof input === "string") {
    const parsed = parseFault(input)
    return typeof parsed === "string" ? `Invalid fault "${input}": ${parsed}` : parsed
  }
  if (typeof input !== "object" || input === null) return "Each fault must be a spec string or a definition object"
  const definition = input as FaultDefinition
  const reason = validateFault(definition)
  return reason === undefined ? definition : `Invalid fault ${JSON.stringify(input)}: ${reason}`
}

const addFaults = (api: AdminApi, body: unknown): Reply => {
  const inputs = faultInputs(body)
  if (inputs.length === 0)
    return badRequest('Send a fault spec, e.g. {"spec":"imds:410x2"} or {"specs":["imds:410x2"]}')
  const definitions: Array<FaultDefinition> = []
  for (const input of inputs) {
    const definition = toDefinition(input)
    if (typeof definition === "string") return badRequest(definition)
    if (definition.action.kind === "refuse" && definition.durationMs === undefined)
      return badRequest(
        "refuse needs a window here (e.g. imds:refuse~5s): the admin API shares the port, so an open-ended refusal could never be cleared through it"
      )
    definitions.push(definition)
  }
  return json(201, { faults: definitions.map((definition) => api.faults.add(definition)) })
}

const faultsRoute = async (
  api: AdminApi,
  method: string,
  id: string | undefined,
  query: URLSearchParams,
  body: unknown
) => {
  if (id !== undefined) {
    if (method !== "DELETE") return methodNotAllowed("DELETE")
    const removed = api.faults.remove(id)
    await api.faults.settled()
    return removed ? json(200, { removed: id }) : notFound(`No fault ${id}`)
  }
  switch (method) {
    case "GET":
      return json(200, { faults: api.faults.list() })
    case "POST": {
      const reply = addFaults(api, body)
      await api.faults.settled()
      return reply
    }
    case "DELETE": {
      const target = query.get("target") ?? query.get("endpoint") ?? undefined
      if (target !== undefined && target !== "*" && !(endpoints as ReadonlyArray<string>).includes(target))
        return badRequest(`Unknown target "${target}"`)
      api.faults.clear(target as FaultTarget | undefined)
      await api.faults.settled()
      return json(200, { faults: api.faults.list() })
    }
    default:
      return methodNotAllowed("GET, POST, DELETE")
  }
}

const requestsRoute = (api: AdminApi, method: string, query: URLSearchParams): Reply => {
  switch (method) {
    case "GET": {
      const endpoint = query.get("endpoint") ?? undefined
      if (endpoint !== undefined && endpoint !== "unknown" && !(endpoints as ReadonlyArray<string>).includes(endpoint))
        return badRequest(`Unknown endpoint "${endpoint}"`)
      return json(200, {
        requests: api.requests.all(endpoint as EndpointName | "unknown" | undefined),
        counters: api.requests.counters()
      })
    }
    case "DELETE":
      api.requests.clear()
      return json(200, { requests: [], counters: {} })
    default:
      return methodNotAllowed("GET, DELETE")
  }
}

const identitiesRoute = (api: AdminApi, method: string, id: string | undefined, body: unknown): Reply => {
  if (id !== undefined) {
    if (method !== "DELETE") return methodNotAllowed("DELETE")
    return api.identities.remove(id) ? json(200, { removed: id }) : notFound(`No identity ${id}`)
  }
  switch (method) {
    case "GET":
      return json(200, { identities: api.identities.list() })
    case "POST": {
      const inputs = Array.isArray(body) ? body : [body]
      const spec = (input: unknown) =>
        typeof input === "object" && input !== null && typeof (input as { spec?: unknown }).spec === "string"
          ? (input as { spec: string }).spec
          : input
      try {
        const added = inputs.map((input) => api.identities.add(spec(input) as Parameters<IdentityRegistry["add"]>[0]))
        return json(201, { identities: added })
      } catch (error) {
        return badRequest(error instanceof EmulatorOptionsError ? error.message : "Invalid identity")
      }
    }
    default:
      return methodNotAllowed("GET, POST")
  }
}

/** Handles `/admin/<path>`. */
export const handleAdmin = async (
  api: AdminApi,
  method: string,
  path: ReadonlyArray<string>,
  query: URLSearchParams,
  rawBody: Buffer | undefined
): Promise<Reply> => {
  // What a same-origin preflight would ask; no Access-Control-Allow-* header is ever sent.
  if (method === "OPTIONS") return { status: 204, headers: { allow: "GET, POST, DELETE, OPTIONS" }, body: "" }
  const parsed = parseBody(rawBody)
  if (parsed === "invalid") return badRequest("The body is not JSON")
  const body = parsed.value
  const [resource, id] = path
  switch (resource) {
    case undefined:
    case "":
      return json(200, {
        url: api.emulator.url,
        httpsUrl: api.emulator.httpsUrl,
        tenantId: api.emulator.tenantId,
        thumbprint: api.emulator.thumbprint,
        routes: [
          "GET|POST|DELETE /admin/faults",
          "DELETE /admin/faults/{id}",
          "GET|DELETE /admin/requests",
          "GET|POST /admin/identities",
          "DELETE /admin/identities/{id}",
          "GET /admin/env?source=imds",
          "POST /admin/federated-token"
        ]
      })
    case "faults":
      return faultsRoute(api, method, id, query, body)
    case "requests":
      return requestsRoute(api, method, query)
    case "identities":
      return identitiesRoute(api, method, id, body)
    case "env": {
      if (method !== "GET") return methodNotAllowed("GET")
      const source = parseSource(query.get("source") ?? "imds")
      if (source === undefined) return badRequest(`Unknown source "${query.get("source")}"`)
      return json(200, { source, env: api.emulator.envFor(source) })
    }
    case "federated-token": {
      if (method !== "POST") return methodNotAllowed("POST")
      const options = typeof body === "object" && body !== null && !Array.isArray(body) ? body : {}
      return json(200, { token: api.emulator.mintFederatedToken(options) })
    }
    default:
      return notFound(`No admin route /admin/${path.join("/")}`)
  }
}
