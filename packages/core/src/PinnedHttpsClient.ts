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

export type {
  /**
   * The runtime modules the pinned client is built on: `node:https` (its `Agent` and `request`),
   * `node:tls` (`connect`) and `node:net` (`isIP`). Core imports none of them itself.
   *
   * @since 0.1.0
   * @category models
   */
  Modules,
  Agent,
  ConnectOptions,
  TlsSocket
} from "./internal/pinnedHttps.js"

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
export const make: (modules: internal.Modules) => (thumbprint: string) => PinnedClient = internal.make
