/**
 * The compact fault syntax (`imds:410x2`, `*:503@0.16`, `arc:latency=2000~30s`,
 * `imds?client_id=abc:reply=403x1`): parsing, validation of definitions that arrive as JSON, and
 * the canonical form.
 */
import type { EndpointName, FaultAction, FaultDefinition, FaultTarget } from "../Fault.js"

/** Every endpoint name, in a stable order. */
export const endpoints: ReadonlyArray<EndpointName> = [
  "imds",
  "appservice",
  "azureml",
  "cloudshell",
  "arc",
  "servicefabric",
  "entra",
  "discovery"
]

const isTarget = (value: string): value is FaultTarget =>
  value === "*" || (endpoints as ReadonlyArray<string>).includes(value)

const integer = (text: string | undefined): number | undefined =>
  text !== undefined && /^\d+$/.test(text) ? Number(text) : undefined

const parseDuration = (amount: string, unit: string | undefined): number =>
  Number(amount) * (unit === "m" ? 60_000 : unit === "s" ? 1_000 : 1)

const parseAction = (text: string, params: ReadonlyMap<string, string>): FaultAction | string => {
  const retryAfterText = params.get("retry-after")
  const retryAfter = integer(retryAfterText)
  if (retryAfterText !== undefined && retryAfter === undefined) return "retry-after must be a whole number of seconds"
  const withRetryAfter = retryAfter === undefined ? {} : { retryAfterSeconds: retryAfter }
  const [name, value] = text.split("=", 2) as [string, string | undefined]
  if (/^\d{3}$/.test(name) && value === undefined) {
    return { kind: "status", status: Number(name), ...withRetryAfter }
  }
  if (retryAfterText !== undefined && name !== "throttle") return "retry-after only applies to a status or throttle"
  const number = integer(value)
  switch (name) {
    case "latency":
    case "slow":
      return number === undefined
        ? `${name} needs a duration in milliseconds, e.g. ${name}=2000`
        : { kind: name, ms: number }
    case "throttle":
      return number === undefined || number < 1
        ? "throttle needs a positive number of requests per second, e.g. throttle=5"
        : { kind: "throttle", perSecond: number, ...withRetryAfter }
    case "html":
      if (value === undefined) return { kind: "html", status: 502 }
      return number === undefined ? "html takes a status code, e.g. html=502" : { kind: "html", status: number }
    case "reply":
      return number === undefined ? "reply takes a status code, e.g. reply=403" : { kind: "reply", status: number }
    case "blackhole":
    case "reset":
    case "refuse":
    case "truncate":
    case "malformed":
    case "oversized":
      return value === undefined ? { kind: name } : `${name} takes no value`
    default:
      return `unknown action "${text}" (expected a status code, latency=<ms>, blackhole, reset, refuse, truncate, malformed, html[=<status>], slow=<ms>, oversized, throttle=<n> or reply=<status>)`
  }
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

// RFC 9110 field names; values without control characters other than tab (what node:http sends).
const headerName = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/
const headerValue = /^[\t\x20-\x7e\x80-\xff]*$/
// The emulator frames every reply itself.
const framingHeaders = new Set(["content-length", "transfer-encoding", "connection", "keep-alive", "upgrade"])

const validateReply = (action: Extract<FaultAction, { kind: "reply" }>): string | undefined => {
  if (!Number.isInteger(action.status) || action.status < 200 || action.status > 599)
    return "reply status must be an integer from 200 to 599"
  if (action.body !== undefined && typeof action.body !== "string") return "reply body must be a string"
  if ((action.status === 204 || action.status === 304) && (action.body ?? "") !== "")
    return `a ${action.status} reply has no body`
  if (action.headers === undefined) return undefined
  if (!isRecord(action.headers)) return "reply headers must be an object of names to string values"
  for (const [name, value] of Object.entries(action.headers)) {
    if (!headerName.test(name)) return `reply header name ${JSON.stringify(name)} is not a valid HTTP field name`
    if (framingHeaders.has(name.toLowerCase())) return `reply header ${name} is set by the emulator`
    if (typeof value !== "string" || !headerValue.test(value))
      return `reply header ${name} must be a string without line breaks or control characters`
  }
  return undefined
}

const validateParams = (params: unknown): string | undefined => {
  if (!isRecord(params)) return "params must be an object of parameter names to values"
  const entries = Object.entries(params)
  if (entries.length === 0) return "params must name at least one parameter"
  for (const [name, value] of entries) {
    if (name === "") return "params cannot have an empty name"
    if (typeof value !== "string") return `params.${name} must be a string`
  }
  return undefined
}

/** Checks a definition (from code or JSON); returns the reason it is invalid, if it is. */
export const validateFault = (fault: FaultDefinition): string | undefined => {
  if (!isRecord(fault)) return "a fault must be an object with a target and an action"
  if (!isTarget(fault.target)) return `unknown target "${String(fault.target)}" (expected ${endpoints.join(", ")} or *)`
  const action = fault.action
  if (!isRecord(action)) return "action must be an object with a kind"
  if (fault.params !== undefined) {
    const reason = validateParams(fault.params)
    if (reason !== undefined) return reason
  }
  switch (action.kind) {
    case "status":
      if (!Number.isInteger(action.status) || action.status < 400 || action.status > 599)
        return "status must be an integer from 400 to 599"
      break
    case "html":
      if (!Number.isInteger(action.status) || action.status < 400 || action.status > 599)
        return "html status must be an integer from 400 to 599"
      break
    case "latency":
    case "slow":
      if (!Number.isInteger(action.ms) || action.ms < 0) return `${action.kind} must be a whole number of milliseconds`
      break
    case "throttle":
      if (!Number.isInteger(action.perSecond) || action.perSecond < 1) return "throttle must be at least 1 per second"
      break
    case "reply": {
      const reason = validateReply(action)
      if (reason !== undefined) return reason
      break
    }
    case "blackhole":
    case "reset":
    case "refuse":
    case "truncate":
    case "malformed":
    case "oversized":
      break
    default:
      return `unknown action kind "${String((action as { kind: unknown }).kind)}"`
  }
  const schedules = [fault.times, fault.probability, fault.durationMs].filter((value) => value !== undefined)
  if (schedules.length > 1) return "use at most one of times (xN), probability (@p) and duration (~time)"
  if (fault.times !== undefined && (!Number.isInteger(fault.times) || fault.times < 1))
    return "times must be a positive integer"
  if (fault.probability !== undefined && !(fault.probability > 0 && fault.probability <= 1))
    return "probability must be greater than 0 and at most 1"
  if (fault.durationMs !== undefined && (!Number.isFinite(fault.durationMs) || fault.durationMs <= 0))
    return "duration must be positive"
  if (action.kind === "refuse" && (fault.times !== undefined || fault.probability !== undefined))
    return "refuse stops the listener, so it takes a window (~duration) or no schedule, not xN or @p"
  if (action.kind === "refuse" && fault.params !== undefined)
    return "refuse stops the whole listener, so it cannot be limited to requests with params"
  return undefined
}

/** Parses the compact syntax; returns the reason when the spec is invalid. */
export const parseFault = (spec: string): FaultDefinition | string => {
  const text = spec.trim()
  const colon = text.indexOf(":")
  if (colon <= 0) return "expected <target>:<action>, e.g. imds:410x2"
  const [targetText = "", paramText] = text.slice(0, colon).split("?", 2) as [string, string | undefined]
  const target = targetText.toLowerCase()
  let requestParams: Record<string, string> | undefined
  if (paramText !== undefined) {
    requestParams = {}
    for (const [name, value] of new URLSearchParams(paramText)) requestParams[name] = value
    if (Object.keys(requestParams).length === 0) return "expected parameters after ?, e.g. imds?client_id=abc:503"
  }
  let rest = text.slice(colon + 1)
  let schedule: Pick<FaultDefinition, "times" | "probability" | "durationMs"> = {}
  const suffix = /(?:x(\d+)|@(\d*\.?\d+)|~(\d+(?:\.\d+)?)(ms|s|m)?)$/.exec(rest)
  if (suffix !== null) {
    const [whole, times, probability, amount, unit] = suffix
    rest = rest.slice(0, rest.length - whole.length)
    schedule =
      times !== undefined
        ? { times: Number(times) }
        : probability !== undefined
          ? { probability: Number(probability) }
          : { durationMs: parseDuration(amount!, unit) }
  }
  const [actionText = "", ...paramTexts] = rest.split(",")
  const params = new Map<string, string>()
  for (const param of paramTexts) {
    const [key, value] = param.split("=", 2)
    if (key === undefined || value === undefined || key.toLowerCase() !== "retry-after")
      return `unknown parameter "${param}" (only retry-after=<seconds>)`
    params.set("retry-after", value)
  }
  if (!isTarget(target)) return `unknown target "${target}" (expected ${endpoints.join(", ")} or *)`
  const action = parseAction(actionText.toLowerCase(), params)
  if (typeof action === "string") return action
  const fault: FaultDefinition = {
    target,
    action,
    ...schedule,
    ...(requestParams === undefined ? {} : { params: requestParams })
  }
  return validateFault(fault) ?? fault
}

const formatDuration = (ms: number): string =>
  ms % 60_000 === 0 ? `${ms / 60_000}m` : ms % 1_000 === 0 ? `${ms / 1_000}s` : `${ms}ms`

const formatAction = (action: FaultAction): string => {
  switch (action.kind) {
    case "status":
      return `${action.status}${action.retryAfterSeconds === undefined ? "" : `,retry-after=${action.retryAfterSeconds}`}`
    case "latency":
    case "slow":
      return `${action.kind}=${action.ms}`
    case "throttle":
      return `throttle=${action.perSecond}${action.retryAfterSeconds === undefined ? "" : `,retry-after=${action.retryAfterSeconds}`}`
    case "html":
      return action.status === 502 ? "html" : `html=${action.status}`
    case "reply":
      return `reply=${action.status}`
    default:
      return action.kind
  }
}

/** The canonical compact form of a definition. */
export const formatFault = (fault: FaultDefinition): string => {
  const schedule =
    fault.times !== undefined
      ? `x${fault.times}`
      : fault.probability !== undefined
        ? `@${fault.probability}`
        : fault.durationMs !== undefined
          ? `~${formatDuration(fault.durationMs)}`
          : ""
  const params = fault.params === undefined ? "" : `?${new URLSearchParams(Object.entries(fault.params)).toString()}`
  return `${fault.target}${params}:${formatAction(fault.action)}${schedule}`
}
