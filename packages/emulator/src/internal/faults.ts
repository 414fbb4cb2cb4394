/**
 * The installed faults and the decision, per request, of which of them apply: every firing
 * `latency` adds up, and the first other firing fault decides how the request is answered. The
 * `refuse` faults are not decided per request: the listeners follow them, stopping to listen.
 */
import type { FaultController } from "../Emulator.js"
import type { EndpointName, Fault, FaultAction, FaultDefinition, FaultTarget } from "../Fault.js"
import { FaultSyntaxError } from "../Fault.js"
import { formatFault, parseFault, validateFault } from "./faultSyntax.js"
import type { Listeners } from "./listeners.js"
import type { Timers } from "./timers.js"

/** A definition as given, or the one a spec describes; throws `FaultSyntaxError` when invalid. */
export const toFaultDefinition = (fault: FaultDefinition | string): FaultDefinition => {
  if (typeof fault === "string") {
    const parsed = parseFault(fault)
    if (typeof parsed === "string") throw new FaultSyntaxError(fault, parsed)
    return parsed
  }
  const reason = validateFault(fault)
  if (reason !== undefined) throw new FaultSyntaxError(JSON.stringify(fault), reason)
  return fault
}

interface State {
  readonly id: string
  readonly definition: FaultDefinition
  readonly spec: string
  readonly addedAt: number
  hits: number
  remaining: number | undefined
  /** Arrival times within the last second, for `throttle`. */
  arrivals: Array<number>
}

/** What the faults decided for one request. */
export interface FaultDecision {
  /** Milliseconds to wait before anything else. */
  readonly latencyMs: number
  /** The specs of the latency faults that fired. */
  readonly latencySpecs: ReadonlyArray<string>
  /** The fault that decides the answer, if any. */
  readonly action?: FaultAction
  readonly spec?: string
}

/** A request's parameter by name (query string first, then the form body), `null` when absent. */
export type ParamLookup = (name: string) => string | null

const noParams: ParamLookup = () => null

const applies = (definition: FaultDefinition, endpoint: EndpointName, param: ParamLookup): boolean =>
  (definition.target === "*" || definition.target === endpoint) &&
  (definition.params === undefined || Object.entries(definition.params).every(([name, value]) => param(name) === value))

export class FaultEngine {
  #faults: Array<State> = []
  #next = 1
  readonly #now: () => number
  readonly #random: () => number

  constructor(now: () => number, random: () => number) {
    this.#now = now
    this.#random = random
  }

  add(definition: FaultDefinition): Fault {
    const state: State = {
      id: `f${this.#next++}`,
      definition,
      spec: formatFault(definition),
      addedAt: this.#now(),
      hits: 0,
      remaining: definition.times,
      arrivals: []
    }
    this.#faults.push(state)
    return this.#view(state)
  }

  remove(id: string): boolean {
    const before = this.#faults.length
    this.#faults = this.#faults.filter((state) => state.id !== id)
    return before !== this.#faults.length
  }

  clear(target?: FaultTarget): number {
    const before = this.#faults.length
    this.#faults = target === undefined ? [] : this.#faults.filter((state) => state.definition.target !== target)
    return before - this.#faults.length
  }

  list(): ReadonlyArray<Fault> {
    this.#expire()
    return this.#faults.map((state) => this.#view(state))
  }

  /** The `refuse` faults in force, for the listeners to follow. */
  refusals(): ReadonlyArray<Fault> {
    this.#expire()
    return this.#faults.filter((state) => state.definition.action.kind === "refuse").map((state) => this.#view(state))
  }

  /** Decides for one request to `endpoint`; `param` reads its parameters, for faults limited by `params`. */
  decide(endpoint: EndpointName, param: ParamLookup = noParams): FaultDecision {
    this.#expire()
    const now = this.#now()
    let latencyMs = 0
    const latencySpecs: Array<string> = []
    let chosen: State | undefined
    for (const state of [...this.#faults]) {
      const { action } = state.definition
      if (!applies(state.definition, endpoint, param) || action.kind === "refuse") continue
      if (chosen !== undefined && action.kind !== "latency") continue
      if (!this.#fires(state, now)) continue
      state.hits += 1
      if (state.remaining !== undefined) {
        state.remaining -= 1
        if (state.remaining <= 0) this.remove(state.id)
      }
      if (action.kind === "latency") {
        latencyMs += action.ms
        latencySpecs.push(state.spec)
      } else {
        chosen = state
      }
    }
    return chosen === undefined
      ? { latencyMs, latencySpecs }
      : { latencyMs, latencySpecs, action: chosen.definition.action, spec: chosen.spec }
  }

  #fires(state: State, now: number): boolean {
    const { action, probability } = state.definition
    if (action.kind === "throttle") {
      // IMDS counts every request against its limit, answered or throttled.
      state.arrivals = state.arrivals.filter((time) => now - time < 1_000)
      state.arrivals.push(now)
      return state.arrivals.length > action.perSecond
    }
    return probability === undefined || this.#random() < probability
  }

  #expire(): void {
    const now = this.#now()
    this.#faults = this.#faults.filter(
      (state) => state.definition.durationMs === undefined || now - state.addedAt < state.definition.durationMs
    )
  }

  #view(state: State): Fault {
    return Object.freeze({
      ...state.definition,
      id: state.id,
      spec: state.spec,
      hits: state.hits,
      ...(state.remaining === undefined ? {} : { remaining: state.remaining })
    })
  }
}

/** The public `FaultController` over an engine; the listeners follow its `refuse` faults. */
export const faultController = (
  engine: FaultEngine,
  listeners: Pick<Listeners, "follow" | "settled">,
  timers: Timers
): FaultController => {
  const followRefusals = (): Promise<void> => listeners.follow(engine.refusals())
  return {
    add: (input) => {
      const fault = engine.add(toFaultDefinition(input))
      if (fault.action.kind === "refuse") {
        // The window runs on real time: the listener must come back even if the injected clock stands still.
        if (fault.durationMs !== undefined)
          timers.later(fault.durationMs, () => {
            engine.remove(fault.id)
            void followRefusals()
          })
        void followRefusals()
      }
      return fault
    },
    remove: (id) => {
      const removed = engine.remove(id)
      void followRefusals()
      return removed
    },
    clear: (target) => {
      engine.clear(target)
      void followRefusals()
    },
    list: () => engine.list(),
    settled: () => listeners.settled()
  }
}
