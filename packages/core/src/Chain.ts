/**
 * Several credentials tried in order, like `@azure/identity`'s `ChainedTokenCredential`: the chain
 * moves on only when a credential is `Unavailable` (no endpoint here, or it cannot serve this
 * identity). Any other failure is a real answer and stops the chain. Once a credential has given a
 * token, the chain keeps using it (as `DefaultAzureCredential` does) so later calls skip the probes.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import type * as Duration from "effect/Duration"
import type { AccessToken } from "./AccessToken.js"
import { type ManagedIdentityError, Unavailable } from "./ManagedIdentityError.js"

/**
 * Anything that gives tokens: a `ManagedIdentity` service, or a chain of them.
 *
 * @since 0.1.0
 * @category models
 */
export interface Credential {
  readonly getToken: (
    resource: string | ReadonlyArray<string>,
    options?: {
      readonly forceRefresh?: boolean | undefined
      readonly claims?: string | undefined
      readonly timeout?: Duration.DurationInput | undefined
    }
  ) => Effect.Effect<AccessToken, ManagedIdentityError>
}

/**
 * A credential that tries each of `credentials` in order.
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import * as Effect from "effect/Effect"
 * import { Chain, ManagedIdentity } from "@managed-identity/core"
 *
 * const program = Effect.scoped(
 *   Effect.gen(function* () {
 *     const workload = yield* ManagedIdentity.make({ source: "WorkloadIdentity" })
 *     const vm = yield* ManagedIdentity.make({ source: "IMDS" })
 *     const chain = Chain.make([workload, vm])
 *     return yield* chain.getToken("https://management.azure.com/")
 *   })
 * )
 * ```
 */
export const make = (credentials: ReadonlyArray<Credential>): Credential => {
  let selected: Credential | undefined
  return {
    getToken: (resource, options) => {
      if (selected !== undefined) return selected.getToken(resource, options)
      return Effect.suspend(() => {
        const reasons: Array<string> = []
        let last: Unavailable | undefined
        const tryFrom = (index: number): Effect.Effect<AccessToken, ManagedIdentityError> => {
          const credential = credentials[index]
          if (credential === undefined) {
            return Effect.fail(
              new Unavailable({
                source: last?.source ?? "IMDS",
                reason: last?.reason ?? "not-configured",
                message:
                  credentials.length === 0
                    ? "The credential chain is empty."
                    : `No credential in the chain is available:\n${reasons.map((r) => `- ${r}`).join("\n")}`,
                attempts: 0,
                elapsedMs: 0
              })
            )
          }
          return credential.getToken(resource, options).pipe(
            Effect.tap(() =>
              Effect.sync(() => {
                selected = credential
              })
            ),
            Effect.catchTag("Unavailable", (error) => {
              reasons.push(error.message)
              last = error
              return tryFrom(index + 1)
            })
          )
        }
        return tryFrom(0)
      })
    }
  }
}
