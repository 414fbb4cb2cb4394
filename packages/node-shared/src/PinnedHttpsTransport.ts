/**
 * Core's `HttpTransport` pinned to one certificate thumbprint, over the runtime's `node:https`:
 * Service Fabric's endpoint has a self-signed certificate that only its thumbprint vouches for.
 * Node, Deno and Bun all use it: Deno's `fetch` only adds CA certificates, and Bun's does not call
 * `checkServerIdentity` once `rejectUnauthorized` is off, while every `node:tls` shows the peer
 * certificate. The modules are passed in (`NodeCertificatePinning` loads them on first use), so
 * tests can hand it a stand-in `node:tls`. Core's `CertificatePinning.make` turns it into the
 * pinning service.
 *
 * @since 0.1.0
 */
import type { PinnedClient } from "@managed-identity/core/CertificatePinning"
import * as internal from "./internal/pinnedHttps.js"
import type { ClientRequest, Emitter } from "./NodeStyleTransport.js"

/**
 * A TLS socket as `node:tls` gives it: the peer certificate's fingerprints.
 *
 * @since 0.1.0
 * @category models
 */
export interface TlsSocket extends Emitter {
  getPeerCertificate(): { readonly fingerprint?: string; readonly fingerprint256?: string } | undefined
  destroy(): unknown
}

/**
 * Where an agent's new connection goes.
 *
 * @since 0.1.0
 * @category models
 */
export interface ConnectOptions {
  readonly hostname?: string | null | undefined
  readonly host?: string | null | undefined
  readonly port?: number | string | null | undefined
}

/**
 * A connection pool (`node:https`' `Agent`).
 *
 * @since 0.1.0
 * @category models
 */
export interface Agent {
  destroy(): void
}

/**
 * The runtime's `node:https`, `node:tls` and `node:net`, as far as the pinned transport uses them.
 *
 * @since 0.1.0
 * @category models
 */
export interface Modules {
  readonly https: {
    readonly Agent: new (options: { keepAlive: boolean; maxCachedSessions: number }) => Agent
    request(
      url: URL,
      // `any`: the agent is the `Agent` above, whose own type the runtime's `request` expects.
      options: { method: string; headers: Record<string, string>; agent: any }
    ): ClientRequest
  }
  readonly tls: {
    connect(options: {
      host: string
      port: number
      servername?: string
      rejectUnauthorized: boolean
      ALPNProtocols: Array<string>
    }): TlsSocket
  }
  readonly net: {
    isIP(input: string): number
  }
}

export {
  /**
   * A connection failed its pin (`mismatch` or `not-tls`): the `cause` of the request's transport error.
   *
   * @since 0.1.0
   */
  CertificatePinError
} from "./internal/pinnedHttps.js"

/**
 * A transport pinned to a normalized thumbprint (see `CertificatePinning.normalizeThumbprint`): the
 * certificate is checked on `secureConnect`, before a byte of the request (and so the `secret`
 * header) is written, and replaces chain validation, since Service Fabric's certificate is
 * self-signed. 40 hex digits pin the SHA-1 fingerprint, 64 the SHA-256 one. A plain-HTTP URL fails
 * without connecting; only text and byte bodies are sent. Connections are kept alive; `close` ends
 * them.
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import * as https from "node:https"
 * import * as net from "node:net"
 * import * as tls from "node:tls"
 * import { PinnedHttpsTransport } from "@managed-identity/node-shared"
 *
 * const { client, close } = PinnedHttpsTransport.make({ https, tls, net })("0123456789ABCDEF0123456789ABCDEF01234567")
 * ```
 */
export const make: (modules: Modules) => (thumbprint: string) => PinnedClient = internal.make
