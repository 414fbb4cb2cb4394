/**
 * An `HttpClient` pinned to one certificate thumbprint, over the runtime's `node:https`: for
 * runtimes whose `fetch` cannot pin a self-signed certificate (Deno's only adds CA certificates;
 * Bun's `checkServerIdentity` is not called once `rejectUnauthorized` is off), while their
 * `node:tls` shows the peer certificate. The adapter passes its `node:https`, `node:tls` and
 * `node:net`: the core imports no runtime module. `CertificatePinning.make` turns it into the
 * pinning service Service Fabric needs.
 *
 * @since 0.1.0
 */
import type { PinnedClient } from "./CertificatePinning.js"
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
 * The runtime's `node:https`, `node:tls` and `node:net`, as far as the pinned client uses them.
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
 * A client pinned to a normalized thumbprint (see `CertificatePinning.normalizeThumbprint`): the
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
 * import { PinnedHttpsClient } from "@managed-identity/core"
 *
 * const { client, close } = PinnedHttpsClient.make({ https, tls, net })("0123456789ABCDEF0123456789ABCDEF01234567")
 * ```
 */
export const make: (modules: Modules) => (thumbprint: string) => PinnedClient = internal.make
