/**
 * The record of every request the emulated endpoints receive, for assertions. Secret headers
 * and form fields are redacted before anything is stored, so no log can leak them.
 */
import type { IncomingHttpHeaders } from "node:http"
import type { EndpointCounters, RequestLog as PublicRequestLog, RecordedRequest, RequestOutcome } from "../Emulator.js"
import type { EndpointName } from "../Fault.js"

/** What is stored in place of a secret value. */
export const redacted = "[REDACTED]"

const secretHeaders = new Set(["x-identity-header", "secret", "authorization", "proxy-authorization", "cookie"])
const secretFields = new Set(["client_assertion", "client_secret", "assertion", "password", "refresh_token"])

/** Headers as a flat record, with secret values replaced. */
export const redactHeaders = (headers: IncomingHttpHeaders): Record<string, string> => {
  const result: Record<string, string> = {}
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue
    result[name] = secretHeaders.has(name) ? redacted : Array.isArray(value) ? value.join(", ") : value
  }
  return result
}

/** Query or form parameters as a flat record, with secret values replaced. */
export const redactParams = (params: URLSearchParams): Record<string, string> => {
  const result: Record<string, string> = {}
  for (const [name, value] of params) result[name] = secretFields.has(name) ? redacted : value
  return result
}

type MutableEntry = {
  -readonly [K in keyof RecordedRequest]: RecordedRequest[K]
}

/** A request being handled: finish it once with its outcome. */
export interface LogEntry {
  readonly id: number
  setIdentity(clientId: string): void
  finish(outcome: RequestOutcome, status?: number, fault?: string): void
  noteFault(fault: string): void
}

export class RequestLog {
  #entries: Array<MutableEntry> = []
  #counters = new Map<string, { total: number; faulted: number; byStatus: Map<number, number> }>()
  #next = 1
  readonly #now: () => number

  constructor(now: () => number) {
    this.#now = now
  }

  begin(request: Omit<RecordedRequest, "id" | "time" | "timestamp" | "outcome" | "faults">): LogEntry {
    const timestamp = this.#now()
    const entry: MutableEntry = {
      id: this.#next++,
      time: new Date(timestamp).toISOString(),
      timestamp,
      ...request,
      outcome: "pending",
      faults: []
    }
    this.#entries.push(entry)
    const counter = this.#counter(entry.endpoint)
    counter.total += 1
    let finished = false
    return {
      id: entry.id,
      setIdentity: (clientId) => {
        entry.identity = clientId
      },
      noteFault: (fault) => {
        entry.faults = [...entry.faults, fault]
      },
      finish: (outcome, status, fault) => {
        if (finished) return
        finished = true
        entry.outcome = outcome
        if (fault !== undefined) entry.faults = [...entry.faults, fault]
        if (entry.faults.length > 0) counter.faulted += 1
        if (status !== undefined) {
          entry.status = status
          counter.byStatus.set(status, (counter.byStatus.get(status) ?? 0) + 1)
        }
        entry.durationMs = Math.max(0, this.#now() - timestamp)
      }
    }
  }

  #counter(endpoint: EndpointName | "unknown") {
    let counter = this.#counters.get(endpoint)
    if (counter === undefined) {
      counter = { total: 0, faulted: 0, byStatus: new Map() }
      this.#counters.set(endpoint, counter)
    }
    return counter
  }

  all(endpoint?: EndpointName | "unknown"): ReadonlyArray<RecordedRequest> {
    return this.#entries
      .filter((entry) => endpoint === undefined || entry.endpoint === endpoint)
      .map((entry) => Object.freeze({ ...entry, faults: Object.freeze([...entry.faults]) }))
  }

  counters(): Readonly<Record<string, EndpointCounters>> {
    const result: Record<string, EndpointCounters> = {}
    for (const [endpoint, counter] of this.#counters) {
      result[endpoint] = {
        total: counter.total,
        faulted: counter.faulted,
        byStatus: Object.fromEntries([...counter.byStatus].map(([status, count]) => [String(status), count]))
      }
    }
    return result
  }

  clear(): void {
    this.#entries = []
    this.#counters.clear()
  }

  /** The public view of the log: reading and clearing, no recording. */
  view(): PublicRequestLog {
    return {
      all: (endpoint) => this.all(endpoint),
      last: (endpoint) => this.all(endpoint).at(-1),
      count: (endpoint) => this.all(endpoint).length,
      counters: () => this.counters(),
      clear: () => this.clear()
    }
  }
}
