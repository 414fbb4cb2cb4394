/**
 * Certificate pinning for Service Fabric on Deno: core's `CertificatePinning` service, giving for a
 * thumbprint an `HttpTransport` that accepts exactly the server certificate with that SHA-1 (or
 * SHA-256) fingerprint, self-signed or not. Deno's `fetch` cannot do this (`Deno.createHttpClient`
 * only adds CA certificates, and chain and host name are always verified), so pinned requests go
 * through Deno's `node:https`, whose TLS socket shows the peer certificate: it is checked before a
 * byte of the request (and so the `secret` header) is written. This module is
 * `@managed-identity/node-shared`'s `NodeCertificatePinning`, as on Node and Bun.
 *
 * @since 0.1.0
 */
// Named, not `export *`: the build (esbuild with code splitting) drops a star re-export of another
// package from a module's own entry point.
export {
  /**
   * The connection failed the pin: `reason` is `mismatch` (another certificate) or `not-tls` (plain
   * HTTP). It is the `cause` of the request's `TransportError`; one class whichever adapter raised it.
   *
   * @since 0.1.0
   * @category errors
   */
  CertificatePinError,
  /**
   * The pinning service: one pinned transport (and connection pool) per thumbprint, closed with the
   * scope; `make(options?)` takes the connect timeout, keep-alive and pool size.
   *
   * @since 0.1.0
   * @category constructors
   */
  make,
  /**
   * A layer providing core's `CertificatePinning`, with the default 1 second connect timeout.
   *
   * @since 0.1.0
   * @category layers
   */
  layer,
  /**
   * A layer providing core's `CertificatePinning`, with connection options.
   *
   * @since 0.1.0
   * @category layers
   */
  layerWith,
  /**
   * Transports pinned to a thumbprint, for core's `CertificatePinning.make`.
   *
   * @since 0.1.0
   * @category constructors
   */
  pinnedClient,
  /**
   * How pinned transports connect: connect timeout (default 1 second), keep-alive, pool size.
   *
   * @since 0.1.0
   * @category models
   */
  type Options
} from "@managed-identity/node-shared/NodeCertificatePinning"
