/**
 * The managed-identity service on Node: core's `ManagedIdentity` over a `node:http` transport
 * (keep-alive, short connect timeout, no proxy, no redirects), `process.env`, `node:fs` and
 * certificate pinning for Service Fabric.
 *
 * @since 0.1.0
 */
import * as CertificatePinning from "@managed-identity/core/CertificatePinning"
import * as Environment from "@managed-identity/core/Environment"
import * as FileReader from "@managed-identity/core/FileReader"
import * as HttpTransport from "@managed-identity/core/HttpTransport"
import * as ManagedIdentity from "@managed-identity/core/ManagedIdentity"
import type { ManagedIdentityError } from "@managed-identity/core/ManagedIdentityError"
import * as Context from "effect/Context"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as NodeCertificatePinning from "./NodeCertificatePinning.js"
import * as NodeEnvironment from "./NodeEnvironment.js"
import * as NodeFileReader from "./NodeFileReader.js"
import * as NodeHttpTransport from "./NodeHttpTransport.js"

/**
 * Options: every core setting, plus the transport's.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options extends ManagedIdentity.Config {
  /**
   * How long to wait for a TCP (and TLS) connection before deciding no endpoint is there, for every
   * source (Service Fabric's pinned TLS included). Default: 1 second.
   */
  readonly connectTimeout?: Duration.DurationInput | undefined
  /** Variables to use instead of `process.env` (tests, or hosts that inject them). */
  readonly environment?: Readonly<Record<string, string | undefined>> | undefined
}

/**
 * The Node services core needs: HTTP transport, environment, file reader and certificate pinning.
 *
 * @since 0.1.0
 * @category layers
 * @example
 * ```ts
 * import { NodeManagedIdentity } from "@managed-identity/node/effect"
 *
 * const NodeServices = NodeManagedIdentity.services()
 * ```
 */
export const services = (
  options: Pick<Options, "connectTimeout" | "environment"> = {}
): Layer.Layer<ManagedIdentity.Requirements> =>
  // One layer building all four in a row, rather than `Layer.mergeAll` of the four layers: merging
  // forks a fiber per layer, which costs a few milliseconds of a cold start for services that are
  // all synchronous to build (bench/README.md, "What moved the numbers").
  Layer.scopedContext(
    Effect.gen(function* () {
      const connection = options.connectTimeout === undefined ? {} : { connectTimeout: options.connectTimeout }
      const transport = yield* NodeHttpTransport.make(connection)
      const pinning = yield* NodeCertificatePinning.make(connection)
      // Like NodeEnvironment.layer: `process.env` is snapshotted when the layer is built.
      const environment = Environment.make(options.environment ?? { ...process.env }, NodeEnvironment.platform())
      return Context.make(HttpTransport.HttpTransport, transport).pipe(
        Context.add(Environment.Environment, environment),
        Context.add(FileReader.FileReader, NodeFileReader.make()),
        Context.add(CertificatePinning.CertificatePinning, pinning)
      )
    })
  )

/**
 * The `ManagedIdentity` service on Node. With no options the source is detected from `process.env`
 * and the system-assigned identity is used.
 *
 * @since 0.1.0
 * @category layers
 * @example
 * ```ts
 * import * as Effect from "effect/Effect"
 * import * as ManagedIdentity from "@managed-identity/core/ManagedIdentity"
 * import { NodeManagedIdentity } from "@managed-identity/node/effect"
 *
 * const program = ManagedIdentity.getToken("https://management.azure.com/").pipe(
 *   Effect.map((token) => token.expiresOn)
 * )
 * Effect.runPromise(program.pipe(Effect.provide(NodeManagedIdentity.layer({ identity: { clientId: "..." } }))))
 * ```
 */
export const layer = (options: Options = {}): Layer.Layer<ManagedIdentity.ManagedIdentity, ManagedIdentityError> => {
  const { connectTimeout, environment, ...config } = options
  return ManagedIdentity.layer(config).pipe(Layer.provide(services({ connectTimeout, environment })))
}
