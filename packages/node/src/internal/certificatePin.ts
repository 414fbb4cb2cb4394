import * as Data from "effect/Data"
import type { PeerCertificate, TLSSocket } from "node:tls"
import type * as Undici from "undici"

/** @internal */
export const pinErrorCode = "ERR_MI_CERTIFICATE_PIN" as const

/** @internal */
export type PinFailureReason = "mismatch" | "not-tls" | "invalid-thumbprint"

/**
 * Raised by the pinned connector before any request byte is written. Thumbprints are public
 * (they identify a certificate, they do not unlock anything), so the message may name them.
 *
 * @internal
 */
export class CertificatePinError extends Data.TaggedError("CertificatePinError")<{
  readonly code: typeof pinErrorCode
  readonly reason: PinFailureReason
  readonly host: string
  readonly expected: string | undefined
  readonly actual: string | undefined
  readonly message: string
}> {}

const normalizeFingerprint = (fingerprint: string | undefined): string | undefined =>
  fingerprint === undefined || fingerprint.length === 0 ? undefined : fingerprint.replace(/:/g, "").toUpperCase()

/**
 * Compares a peer certificate with a normalized thumbprint: 40 hex digits are SHA-1 (what Service
 * Fabric's `IDENTITY_SERVER_THUMBPRINT` holds), 64 are SHA-256.
 *
 * @internal
 */
export const verifyPeer = (
  host: string,
  expected: string,
  certificate: Partial<Pick<PeerCertificate, "fingerprint" | "fingerprint256">> | undefined
): CertificatePinError | undefined => {
  const actual = normalizeFingerprint(expected.length === 40 ? certificate?.fingerprint : certificate?.fingerprint256)
  if (actual === expected) return undefined
  const algorithm = expected.length === 40 ? "SHA-1" : "SHA-256"
  return new CertificatePinError({
    code: pinErrorCode,
    reason: "mismatch",
    host,
    expected,
    actual,
    message: `certificate pinning: ${host} presented a certificate with ${algorithm} thumbprint ${
      actual ?? "(none)"
    }, expected ${expected}`
  })
}

/**
 * Wraps undici's connector so a connection is handed to undici only once the server's
 * certificate matches the pin. Node skips `checkServerIdentity` when `rejectUnauthorized` is false
 * and the chain does not verify (always the case for a self-signed certificate), so the check has
 * to happen here, after `secureConnect` and before undici writes the request.
 *
 * @internal
 */
export const pinnedConnector =
  (connect: Undici.buildConnector.connector, thumbprint: string | undefined): Undici.buildConnector.connector =>
  (options, callback) => {
    const host = `${options.hostname}:${options.port}`
    if (thumbprint === undefined) {
      // Fail closed: a thumbprint that is not SHA-1/SHA-256 hex can never match a certificate.
      callback(
        new CertificatePinError({
          code: pinErrorCode,
          reason: "invalid-thumbprint",
          host,
          expected: undefined,
          actual: undefined,
          message: "certificate pinning: the thumbprint is not 40 (SHA-1) or 64 (SHA-256) hex digits"
        }),
        null
      )
      return
    }
    if (options.protocol !== "https:") {
      // A pinned client must never send a secret header in clear text.
      callback(
        new CertificatePinError({
          code: pinErrorCode,
          reason: "not-tls",
          host,
          expected: thumbprint,
          actual: undefined,
          message: `certificate pinning: ${options.protocol}//${host} is not HTTPS, refusing to connect`
        }),
        null
      )
      return
    }
    connect(options, (...args) => {
      if (args[0] !== null) {
        callback(args[0], null)
        return
      }
      const socket = args[1] as TLSSocket
      const failure = verifyPeer(host, thumbprint, socket.getPeerCertificate())
      if (failure === undefined) {
        callback(null, socket)
      } else {
        socket.destroy()
        callback(failure, null)
      }
    })
  }
