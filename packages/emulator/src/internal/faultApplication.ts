/**
 * How a request is answered once the faults have decided: latency first, then either the
 * endpoint's normal reply or what the deciding fault turns it into (an error status, an HTML
 * page, a scripted reply, a malformed, truncated, slow or oversized body, a reset, a dropped
 * connection, or no answer at all). Every outcome is recorded in the request's log entry.
 */
import type { IncomingMessage, ServerResponse } from "node:http"
import type { EndpointName, FaultAction } from "../Fault.js"
import type { FaultDecision } from "./faults.js"
import { faultReply, htmlReply, type Reply, writeReply } from "./replies.js"
import type { LogEntry } from "./requestLog.js"
import type { Timers } from "./timers.js"

const oversizedPadding = 70 * 1024

/** One request being answered. */
export interface Exchange {
  readonly endpoint: EndpointName | "unknown"
  readonly request: IncomingMessage
  readonly response: ServerResponse
  readonly entry: LogEntry
  /** The endpoint's normal reply, computed only when an answer needs it. */
  readonly normal: () => Reply
}

/** What answering needs from the running emulator. */
export interface AnswerContext {
  /** The injected clock, for the times in error bodies. */
  readonly now: () => number
  readonly timers: Timers
  readonly closed: () => boolean
}

/** The decision when no fault applies. */
export const noFaults: FaultDecision = { latencyMs: 0, latencySpecs: [] }

/** Writes `reply` and records the outcome. */
export const answer = (exchange: Exchange, reply: Reply, outcome: "answered" | "faulted", spec?: string): void => {
  writeReply(exchange.response, reply)
  exchange.entry.finish(outcome, reply.status, spec)
}

/** Answers `exchange` as `decision` says. */
export const respond = async (context: AnswerContext, decision: FaultDecision, exchange: Exchange): Promise<void> => {
  for (const spec of decision.latencySpecs) exchange.entry.noteFault(spec)
  if (decision.latencyMs > 0) await context.timers.sleep(decision.latencyMs)
  if (context.closed() || exchange.response.destroyed) return
  if (decision.action !== undefined && decision.spec !== undefined)
    return applyFault(context, decision.action, decision.spec, exchange)
  answer(exchange, exchange.normal(), "answered")
}

/** Sends `reply` in small pieces over `ms` milliseconds. */
const dribble = (timers: Timers, exchange: Exchange, reply: Reply, ms: number, spec: string): void => {
  const { response, entry } = exchange
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
    } else timers.later(ms / pieces, step)
  }
  timers.later(ms / pieces, step)
}

/** `reply` with its JSON body padded past the 64 KiB clients accept. */
const oversized = (reply: Reply): Reply => {
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
  return { ...reply, body: JSON.stringify(padded) }
}

const applyFault = (context: AnswerContext, action: FaultAction, spec: string, exchange: Exchange) => {
  const { endpoint, request, response, entry } = exchange
  switch (action.kind) {
    case "status":
      return answer(
        exchange,
        faultReply(endpoint, action.status, context.now(), action.retryAfterSeconds),
        "faulted",
        spec
      )
    case "throttle":
      return answer(exchange, faultReply(endpoint, 429, context.now(), action.retryAfterSeconds ?? 1), "faulted", spec)
    case "html":
      return answer(exchange, htmlReply(action.status), "faulted", spec)
    case "malformed":
      return answer(
        exchange,
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
      const reply = exchange.normal()
      const body = Buffer.from(reply.body)
      response.writeHead(reply.status, { ...reply.headers, "content-length": body.length + 1024 })
      response.write(body.subarray(0, Math.ceil(body.length / 2)), () => request.socket.destroy())
      entry.finish("faulted", reply.status, spec)
      return
    }
    case "slow":
      return dribble(context.timers, exchange, exchange.normal(), action.ms, spec)
    case "oversized":
      return answer(exchange, oversized(exchange.normal()), "faulted", spec)
    case "reply":
      return answer(
        exchange,
        { status: action.status, headers: { ...action.headers }, body: action.body ?? "" },
        "faulted",
        spec
      )
    case "latency":
      return answer(exchange, exchange.normal(), "answered")
  }
}
