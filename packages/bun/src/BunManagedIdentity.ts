/**
 * The managed-identity service on Bun: core's `ManagedIdentity` over Bun's `fetch` (no proxy for
 * plain-HTTP endpoints, no redirects), `Bun.env`, `Bun.file` and certificate pinning for Service
 * Fabric.
 *
 * @since 0.1.0
 */
import * as ManagedIdentity from "@managed-identity/core/ManagedIdentity"
import type { ManagedIdentityError } from "@managed-identity/core/ManagedIdentityError"
import type * as Duration from "effect/Duration"
import * as Layer from "effect/Layer"
import * as BunCertificatePinning from "./BunCertificatePinning.js"
import * as BunEnvironment from "./BunEnvironment.js"
import * as BunFileReader from "./BunFileReader.js"
import * as BunHttpTransport from "./BunHttpTransport.js"

/**
 * Options: every core setting, plus the connect timeout and where the variables come from.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options extends ManagedIdentity.Config {
  /** How long the first request waits for a TCP connection before deciding no endpoint is there. Default: 1 second. */
  readonly connectTimeout?: Duration.DurationInput | undefined
  /** Variables to use instead of `Bun.env` (tests, or hosts that inject them). */
  readonly environment?: Readonly<Record<string, string | undefined>> | undefined
}

/**
 * The Bun services core needs (`ManagedIdentity.Requirements`): the `HttpTransport`, environment, file
 * reader and certificate pinning.
 *
 * @since 0.1.0
 * @category layers
 * @example
 * ```ts
 * import { BunManagedIdentity } from "@managed-identity/bun/effect"
 *
 * const BunServices = BunManagedIdentity.services()
 * ```
 */
export const services = (
  options: Pick<Options, "connectTimeout" | "environment"> = {}
): Layer.Layer<ManagedIdentity.Requirements, ManagedIdentityError> =>
  Layer.mergeAll(
    BunHttpTransport.layer(options.connectTimeout === undefined ? {} : { connectTimeout: options.connectTimeout }),
    options.environment === undefined ? BunEnvironment.layer : BunEnvironment.layerFrom(options.environment),
    BunFileReader.layer,
    BunCertificatePinning.layer
  )

/**
 * The `ManagedIdentity` service on Bun. With no options the source is detected from `Bun.env` and
 * the system-assigned identity is used.
 *
 * @since 0.1.0
 * @category layers
 * @example
 * ```ts
 * import * as Effect from "effect/Effect"
 * import { ManagedIdentity } from "@managed-identity/core"
 * import { BunManagedIdentity } from "@managed-identity/bun/effect"
 *
 * const program = ManagedIdentity.getToken("https://management.azure.com/").pipe(
 *   Effect.map((token) => token.expiresOn)
 * )
 * Effect.runPromise(program.pipe(Effect.provide(BunManagedIdentity.layer({ identity: { clientId: "..." } }))))
 * ```
 */
export const layer = (options: Options = {}): Layer.Layer<ManagedIdentity.ManagedIdentity, ManagedIdentityError> => {
  const { connectTimeout, environment, ...config } = options
  return ManagedIdentity.layer(config).pipe(Layer.provide(services({ connectTimeout, environment })))
}
