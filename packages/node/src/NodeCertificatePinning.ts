/**
 * Certificate pinning for Service Fabric on Node: core's `CertificatePinning` service, giving for
 * a thumbprint an `HttpTransport` whose TLS accepts exactly the server certificate with that SHA-1
 * or SHA-256 fingerprint, self-signed or not, over Node's own `node:https`, `node:tls` and
 * `node:net` (loaded on the first pinned request): the certificate is checked when the TLS
 * handshake completes, before a byte of the request (and so the `secret` header) is written. This
 * module is `@managed-identity/node-shared`'s `NodeCertificatePinning`, which Deno and Bun use too.
 *
 * @since 0.1.0
 */
export * from "@managed-identity/node-shared/NodeCertificatePinning"
