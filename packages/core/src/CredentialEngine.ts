/**
 * For adapter authors: the Effect engine behind a Promise-API credential. It runs core's
 * `ManagedIdentity` service (retries, circuit breaker, token cache with refresh-ahead, telemetry)
 * in its own runtime on the process clock (whose background waits do not keep an idle process
 * alive), and speaks promises to the credential. An adapter loads it lazily (a dynamic import), for
 * the sources its credential does not serve itself (those that read a file or pin a certificate).
 *
 * @since 0.1.0
 */
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Option from "effect/Option"
import * as ManagedIdentity from "./ManagedIdentity.js"
import type { ManagedIdentityError } from "./ManagedIdentityError.js"
import { processClock } from "./internal/background.js"
import { ABORTED, type Engine as EngineShape } from "./internal/credentialClient.js"

/**
 * The engine as a credential sees it: promises in and out. It rejects with the typed
 * `ManagedIdentityError`, with a marker when the call was abandoned, or with a `Defect`.
 *
 * @since 0.1.0
 * @category models
 */
export type Engine = EngineShape

/**
 * An unexpected failure (a bug), with its cause.
 *
 * @since 0.1.0
 * @category models
 */
export interface Defect {
  readonly _tag: "Defect"
  readonly message: string
  readonly cause: unknown
}

/**
 * The engine over an adapter's `ManagedIdentity` layer.
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import { CredentialEngine, ManagedIdentity } from "@managed-identity/core"
 *
 * declare const layer: Parameters<typeof CredentialEngine.make>[0]
 * const engine = CredentialEngine.make(layer)
 * engine.getToken("https://vault.azure.net/.default", {}).then((token) => token.expiresOn)
 * ```
 */
export const make = (layer: Layer.Layer<ManagedIdentity.ManagedIdentity, ManagedIdentityError>): Engine => {
  const runtime = ManagedRuntime.make(Layer.merge(layer, Layer.setClock(processClock)))
  let service: ManagedIdentity.Service | undefined
  const run = <A>(
    body: (service: ManagedIdentity.Service) => Effect.Effect<A, ManagedIdentityError>,
    signal?: AbortSignal | undefined
  ): Promise<A> =>
    runtime
      .runPromiseExit(
        Effect.flatMap(ManagedIdentity.ManagedIdentity, (mi) => {
          service = mi
          return body(mi)
        }),
        signal === undefined ? undefined : { signal }
      )
      .then((exit) => {
        if (Exit.isSuccess(exit)) return exit.value
        if (signal?.aborted === true || Cause.isInterruptedOnly(exit.cause)) throw ABORTED
        const failure = Cause.failureOption(exit.cause)
        if (Option.isSome(failure)) throw failure.value
        const defect: Defect = {
          _tag: "Defect",
          message: Cause.pretty(exit.cause),
          cause: Cause.squash(exit.cause)
        }
        throw defect
      })
  return {
    getToken: (scopes, options) =>
      run(
        (mi) =>
          mi.getToken(scopes, {
            claims: options.claims,
            ...(options.timeoutMs === undefined || options.timeoutMs <= 0 ? {} : { timeout: options.timeoutMs })
          }),
        options.signal
      ),
    peek: (scopes, now) => service?.peek(scopes, now),
    close: () => runtime.dispose()
  }
}
