/**
 * The managed-identity service on Deno: core's `ManagedIdentity` over Deno's `fetch` (no proxy for
 * plain-HTTP endpoints, no redirects), `Deno.env`, Deno's file system and certificate pinning for
 * Service Fabric. Before the first request it checks Deno's permissions for what the detected
 * source needs, so a missing `--allow-net` or `--allow-read` is an error naming the flag.
 *
 * @since 0.1.0
 */
import * as ManagedIdentity from "@managed-identity/core/ManagedIdentity"
import type * as ManagedIdentityError from "@managed-identity/core/ManagedIdentityError"
import * as Effect from "effect/Effect"
import type * as Duration from "effect/Duration"
import * as Layer from "effect/Layer"
import * as DenoCertificatePinning from "./DenoCertificatePinning.js"
import * as DenoEnvironment from "./DenoEnvironment.js"
import * as DenoFileReader from "./DenoFileReader.js"
import * as DenoHttpTransport from "./DenoHttpTransport.js"
import * as permissions from "./internal/permissions.js"

/**
 * Options: every core setting, plus the connect timeout and where the variables come from.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options extends ManagedIdentity.Config {
  /** How long the first request waits for a TCP connection before deciding no endpoint is there. Default: 1 second. */
  readonly connectTimeout?: Duration.DurationInput | undefined
  /** Variables to use instead of `Deno.env` (tests, or hosts that inject them); needs no `--allow-env`. */
  readonly environment?: Readonly<Record<string, string | undefined>> | undefined
}

/**
 * The Deno services core needs (`ManagedIdentity.Requirements`): the `HttpTransport`, environment, file
 * reader and certificate pinning.
 *
 * @since 0.1.0
 * @category layers
 * @example
 * ```ts
 * import { DenoManagedIdentity } from "@managed-identity/deno/effect"
 *
 * const DenoServices = DenoManagedIdentity.services()
 * ```
 */
export const services = (
  options: Pick<Options, "connectTimeout" | "environment"> = {}
): Layer.Layer<ManagedIdentity.Requirements, ManagedIdentityError.InvalidArgument> =>
  Layer.mergeAll(
    DenoHttpTransport.layer(options.connectTimeout === undefined ? {} : { connectTimeout: options.connectTimeout }),
    options.environment === undefined ? DenoEnvironment.layer : DenoEnvironment.layerFrom(options.environment),
    DenoFileReader.layer,
    DenoCertificatePinning.layer
  )

/**
 * The `ManagedIdentity` service on Deno. With no options the source is detected from `Deno.env`
 * and the system-assigned identity is used.
 *
 * @since 0.1.0
 * @category layers
 * @example
 * ```ts
 * import * as Effect from "effect/Effect"
 * import { ManagedIdentity } from "@managed-identity/core"
 * import { DenoManagedIdentity } from "@managed-identity/deno/effect"
 *
 * const program = ManagedIdentity.getToken("https://management.azure.com/").pipe(
 *   Effect.map((token) => token.expiresOn)
 * )
 * Effect.runPromise(program.pipe(Effect.provide(DenoManagedIdentity.layer({ identity: { clientId: "..." } }))))
 * ```
 */
export const layer = (
  options: Options = {}
): Layer.Layer<ManagedIdentity.ManagedIdentity, ManagedIdentityError.ManagedIdentityError> => {
  const { connectTimeout, environment, ...config } = options
  return Layer.scoped(
    ManagedIdentity.ManagedIdentity,
    Effect.tap(ManagedIdentity.make(config), (service) => permissions.check(service.requirements))
  ).pipe(Layer.provide(services({ connectTimeout, environment })))
}
