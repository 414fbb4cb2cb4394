import { fromPromise, parts, type Service, TransportError } from "@managed-identity/core/HttpTransport"
import * as Data from "effect/Data"
import type { Agent, ConnectOptions, Modules, TlsSocket } from "../PinnedHttpsTransport.js"
import { send, unref } from "./plainSend.js"

/**
 * A connection failed its pin: `reason` is `mismatch` (another certificate) or `not-tls` (plain
 * HTTP). It is the `cause` of the request's transport error. Thumbprints are public (they identify
 * a certificate, they do not unlock anything), so the message may name them.
 *
 * @since 0.1.0
 * @category errors
 * @example
 * ```ts
 * import { PinnedHttpsTransport } from "@managed-identity/node-shared"
 *
 * const isMismatch = (u: unknown) => u instanceof PinnedHttpsTransport.CertificatePinError && u.reason === "mismatch"
 * ```
 */
export class CertificatePinError extends Data.TaggedError("CertificatePinError")<{
  readonly reason: "mismatch" | "not-tls"
  readonly host: string
  readonly expected: string
  readonly actual: string | undefined
  readonly message: string
}> {}

const normalizeFingerprint = (fingerprint: string | undefined): string | undefined =>
  fingerprint === undefined || fingerprint.length === 0 ? undefined : fingerprint.replace(/:/g, "").toUpperCase()

/** @internal */
export const verifyPeer = (
  host: string,
  expected: string,
  certificate: { readonly fingerprint?: string; readonly fingerprint256?: string } | undefined
): CertificatePinError | undefined => {
  const actual = normalizeFingerprint(expected.length === 40 ? certificate?.fingerprint : certificate?.fingerprint256)
  if (actual === expected) return undefined
  return new CertificatePinError({
    reason: "mismatch",
    host,
    expected,
    actual,
    message: `certificate pinning: ${host} presented a certificate with ${
      expected.length === 40 ? "SHA-1" : "SHA-256"
    } thumbprint ${actual ?? "(none)"}, expected ${expected}`
  })
}

/**
 * The connection a request's agent is opening for it. The agent hands a new connection to its
 * request only after the handshake, so until then destroying the request does not reach it: an
 * interrupted send ends it through this (else a hung handshake would run on, holding the process,
 * until the connect timeout), and a background request's connection is unref'd from the start.
 * It travels to `createConnection` as a request option (Node passes a request's options on to
 * its agent; a runtime that does not simply leaves it unused).
 */
const pendingConnection = Symbol.for("@managed-identity/node-shared/PinnedHttpsTransport/pendingConnection")

interface PendingConnection {
  readonly background: boolean
  socket: TlsSocket | undefined
  abandoned: boolean
}

/**
 * An agent whose connections are handed to the request only once the server's certificate
 * matches the pin: the check runs on `secureConnect`, before a byte of the request (and so the
 * `secret` header) is written. The pin replaces chain validation, since Service Fabric's
 * certificate is self-signed.
 */
const pinnedAgent = (modules: Modules, thumbprint: string): Agent =>
  new (class PinnedAgent extends modules.https.Agent {
    constructor() {
      super({ keepAlive: true, maxCachedSessions: 0 })
    }

    createConnection(
      options: ConnectOptions,
      callback?: (error: Error | null, stream: TlsSocket) => void
    ): TlsSocket | null | undefined {
      const hostname = String(options.hostname ?? options.host ?? "localhost").replace(/^\[(.*)\]$/, "$1")
      const port = Number(options.port ?? 443)
      const host = `${hostname}:${port}`
      const socket = modules.tls.connect({
        host: hostname,
        port,
        ...(modules.net.isIP(hostname) === 0 ? { servername: hostname } : {}),
        rejectUnauthorized: false,
        ALPNProtocols: ["http/1.1"]
      })
      const pending = (options as { readonly [pendingConnection]?: PendingConnection })[pendingConnection]
      if (pending !== undefined) {
        pending.socket = socket
        if (pending.background) unref(socket)
        if (pending.abandoned) socket.destroy()
      }
      const onError = (error: Error) => callback?.(error, socket)
      socket.once("error", onError)
      socket.once("secureConnect", () => {
        socket.removeListener("error", onError)
        const failure = verifyPeer(host, thumbprint, socket.getPeerCertificate())
        if (failure === undefined) {
          callback?.(null, socket)
        } else {
          socket.destroy()
          callback?.(failure, socket)
        }
      })
      return undefined
    }
  })()

/** @internal */
export const make =
  (modules: Modules) =>
  (thumbprint: string): { readonly client: Service; readonly close: () => void } => {
    const agent = pinnedAgent(modules, thumbprint)
    const client: Service = fromPromise((request, { maxBodyBytes, signal, background }) => {
      const built = parts(request)
      if (built._tag === "Left") return Promise.reject(built.left)
      const url = built.right.url
      if (url.protocol !== "https:") {
        // A pinned transport must never send a secret header in clear text.
        return Promise.reject(
          new TransportError({
            reason: "request",
            message: "the pinned transport sends over TLS only",
            cause: new CertificatePinError({
              reason: "not-tls",
              host: url.host,
              expected: thumbprint,
              actual: undefined,
              message: `certificate pinning: ${url.protocol}//${url.host} is not HTTPS, refusing to connect`
            })
          })
        )
      }
      return send(
        (target, { signal: abandon, ...options }) => {
          // The agent's connection is not the request's until its handshake is done: abandoning
          // the request must end it too.
          const pending: PendingConnection = { background: background === true, socket: undefined, abandoned: false }
          abandon?.addEventListener(
            "abort",
            () => {
              pending.abandoned = true
              pending.socket?.destroy()
            },
            { once: true }
          )
          const requestOptions = { ...options, agent, [pendingConnection]: pending }
          return modules.https.request(target, requestOptions)
        },
        built.right,
        { maxBodyBytes, signal, background }
      )
    })
    return { client, close: () => agent.destroy() }
  }
