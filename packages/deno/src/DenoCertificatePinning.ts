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
export * from "@managed-identity/node-shared/NodeCertificatePinning"
