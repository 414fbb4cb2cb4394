/**
 * One request, from arrival to answer: route it, refuse admin requests a browser page could have
 * sent, read the body, hand admin requests to the admin API, record the rest in the request log,
 * let the faults decide, and answer.
 */
import type { IncomingMessage } from "node:http"
import type { Socket } from "node:net"
import { type AdminApi, handleAdmin } from "./admin.js"
import { type AdminAuthority, authorityOf, checkAdminRequest } from "./adminGuard.js"
import { type AnswerContext, answer, type Exchange, noFaults, respond } from "./faultApplication.js"
import type { FaultEngine } from "./faults.js"
import type { Handler, Scheme } from "./listeners.js"
import { imdsError, json, type Reply, writeReply } from "./replies.js"
import { type RequestLog, redactHeaders, redactParams } from "./requestLog.js"
import { type EndpointContexts, endpointOf, normalReply, route } from "./router.js"

/** Bodies above this are refused: no token request needs more, and clients cap responses at 64 KiB too. */
const maxRequestBody = 64 * 1024

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

/** What handling a request needs from the running emulator. */
export interface HandlerContext {
  readonly url: string
  readonly httpsUrl: string
  readonly endpoints: EndpointContexts
  readonly log: RequestLog
  readonly engine: FaultEngine
  readonly answering: AnswerContext
  readonly admin: AdminApi
  /** Keeps an admin connection open while its port refuses connections. */
  readonly spare: (socket: Socket) => void
  /** Receives one line per refused admin request (the `log` option). */
  readonly notice: (line: string) => void
}

/** A path for a log line: what the URL parser left (percent-encoded), capped. */
const loggedPath = (pathname: string): string => (pathname.length > 200 ? `${pathname.slice(0, 200)}…` : pathname)

export const makeHandler = (context: HandlerContext): Handler => {
  const authorities: Record<Scheme, AdminAuthority> = {
    http: authorityOf(context.url),
    https: authorityOf(context.httpsUrl)
  }
  return async (request, response, scheme) => {
    const method = request.method ?? "GET"
    const base = scheme === "http" ? context.url : context.httpsUrl
    const parsed = new URL(request.url ?? "/", base)
    const r = route(parsed.pathname)
    if (r.kind === "admin") {
      // Before the body is read or the connection spared: a refused request gets nothing else.
      const refusal = checkAdminRequest(authorities[scheme], request)
      if (refusal !== undefined) {
        context.notice(`refused ${method} ${loggedPath(parsed.pathname)} (${refusal.reply.status}): ${refusal.reason}`)
        return writeReply(response, refusal.reply)
      }
    }
    const body =
      method === "GET" || method === "HEAD" ? Buffer.alloc(0) : await readBody(request).catch(() => undefined)
    if (body === undefined || context.answering.closed()) return
    if (r.kind === "admin") {
      if (body === "too-large")
        return writeReply(response, json(413, { error: "payload_too_large", message: "The body is over 64 KiB" }))
      context.spare(request.socket)
      return writeReply(response, await handleAdmin(context.admin, method, r.path, parsed.searchParams, body))
    }
    const endpoint = endpointOf(r)
    const isForm = (request.headers["content-type"] ?? "").toLowerCase().startsWith("application/x-www-form-urlencoded")
    const form = body !== "too-large" && isForm ? new URLSearchParams(body.toString("utf8")) : new URLSearchParams()
    const entry = context.log.begin({
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
    const exchange: Exchange = {
      endpoint,
      request,
      response,
      entry,
      normal: (): Reply => {
        const outcome = normalReply(context.endpoints, r, {
          method,
          pathname: parsed.pathname,
          query: parsed.searchParams,
          headers: request.headers,
          form,
          base
        })
        if (outcome.identity !== undefined) entry.setIdentity(outcome.identity.clientId)
        return outcome.reply
      }
    }
    if (body === "too-large")
      return answer(exchange, imdsError(413, "invalid_request", "Request body too large"), "answered")
    const param = (name: string) => parsed.searchParams.get(name) ?? form.get(name)
    return respond(
      context.answering,
      endpoint === "unknown" ? noFaults : context.engine.decide(endpoint, param),
      exchange
    )
  }
}
