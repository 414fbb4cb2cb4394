/**
 * @managed-identity/node-shared — the node-module transports the Node, Deno and Bun adapters share:
 * a transport over a `node:http`-style `request`, TLS pinned by thumbprint over `node:https`, and
 * a TCP connect probe for `fetch`. Core stays free of runtime modules; this package is where
 * `node:` code lives.
 *
 * @since 0.1.0
 */

/** @since 0.1.0 */
export * as ConnectProbe from "./ConnectProbe.js"
/** @since 0.1.0 */
export * as NodeCertificatePinning from "./NodeCertificatePinning.js"
/** @since 0.1.0 */
export * as NodeConnection from "./NodeConnection.js"
/** @since 0.1.0 */
export * as NodePlainTransport from "./NodePlainTransport.js"
/** @since 0.1.0 */
export * as NodeStyleTransport from "./NodeStyleTransport.js"
/** @since 0.1.0 */
export * as PinnedHttpsTransport from "./PinnedHttpsTransport.js"
