/**
 * Raw HTTP(S) requests for the tests: no keep-alive, no retries, and transport failures reported
 * as their error code, so faults such as resets and truncated bodies can be observed as they are.
 */
import { createPublicKey, verify } from "node:crypto"
import * as http from "node:http"
import * as https from "node:https"
import type { PublicJwk } from "../src/Emulator.js"

export interface RawResponse {
  readonly status: number
  readonly headers: http.IncomingHttpHeaders
  readonly body: string
}

export interface RawFailure {
  readonly error: string
  /** Bytes received before the failure, when a response had started. */
  readonly partial?: string
}

export interface RawRequest {
  readonly method?: string
  readonly headers?: Record<string, string>
  readonly body?: string
  /** Trust this certificate (PEM) for HTTPS. */
  readonly ca?: string
  /** Abort after this many milliseconds (only for requests expected to hang). */
  readonly timeoutMs?: number
}

/** Only loopback URLs: a test can never reach anything else by mistake. */
const assertLoopback = (url: URL) => {
  if (url.hostname !== "127.0.0.1" && url.hostname !== "localhost") throw new Error(`Refusing non-loopback ${url.href}`)
}

export const send = (target: string, options: RawRequest = {}): Promise<RawResponse | RawFailure> =>
  new Promise((resolve) => {
    const url = new URL(target)
    assertLoopback(url)
    const transport = url.protocol === "https:" ? https : http
    const request = transport.request(
      url,
      {
        method: options.method ?? "GET",
        headers: options.headers ?? {},
        agent: false,
        ...(options.ca === undefined ? {} : { ca: options.ca })
      },
      (response) => {
        let body = ""
        response.setEncoding("utf8")
        response.on("data", (chunk: string) => {
          body += chunk
        })
        response.on("end", () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body }))
        response.on("error", (error: NodeJS.ErrnoException) =>
          resolve({ error: error.code ?? error.message, partial: body })
        )
        response.on("aborted", () => resolve({ error: "ABORTED", partial: body }))
      }
    )
    request.on("error", (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message }))
    if (options.timeoutMs !== undefined)
      request.setTimeout(options.timeoutMs, () => request.destroy(new Error("TIMEOUT")))
    request.end(options.body)
  })

export const isResponse = (result: RawResponse | RawFailure): result is RawResponse => "status" in result

/** Sends and expects an HTTP response (fails the test on a transport error). */
export const fetchRaw = async (target: string, options: RawRequest = {}): Promise<RawResponse> => {
  const result = await send(target, options)
  if (!isResponse(result)) throw new Error(`Expected a response from ${target}, got ${result.error}`)
  return result
}

export const fetchJson = async (target: string, options: RawRequest = {}) => {
  const response = await fetchRaw(target, options)
  return { status: response.status, headers: response.headers, json: JSON.parse(response.body) as Record<string, any> }
}

/** Decodes a JWT and verifies its RS256 signature with the served JWKS. */
export const verifyToken = (token: string, keys: ReadonlyArray<PublicJwk>) => {
  const [header, payload, signature] = token.split(".") as [string, string, string]
  const decodedHeader = JSON.parse(Buffer.from(header, "base64url").toString()) as { kid: string; alg: string }
  const jwk = keys.find((key) => key.kid === decodedHeader.kid)
  if (jwk === undefined) return { valid: false, header: decodedHeader, claims: {} as Record<string, any> }
  const key = createPublicKey({ key: { ...jwk }, format: "jwk" })
  const valid = verify("sha256", Buffer.from(`${header}.${payload}`), key, Buffer.from(signature, "base64url"))
  return {
    valid,
    header: decodedHeader,
    claims: JSON.parse(Buffer.from(payload, "base64url").toString()) as Record<string, any>
  }
}
