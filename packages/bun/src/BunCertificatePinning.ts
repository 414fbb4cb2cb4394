/**
 * Certificate pinning for Service Fabric on Bun: core's `CertificatePinning` service, giving for a
 * thumbprint an `HttpTransport` that accepts exactly the server certificate with that SHA-1 (or
 * SHA-256) fingerprint, self-signed or not. Bun's `fetch` cannot do this: its
 * `tls.checkServerIdentity` is not called once `rejectUnauthorized` is off, and with it on a
 * self-signed certificate fails before the check (both verified in Bun 1.4.5). So pinned requests
 * go through Bun's `node:https`, whose TLS socket shows the peer certificate: it is checked before
 * a byte of the request (and so the `secret` header) is written. This module is
 * `@managed-identity/node-shared`'s `NodeCertificatePinning`, as on Node and Deno.
 *
 * @since 0.1.0
 */
export * from "@managed-identity/node-shared/NodeCertificatePinning"
