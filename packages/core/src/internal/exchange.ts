/**
 * The Effect driver of a source's protocol steps: a `Send` goes through the `HttpTransport` (or the
 * `CertificatePinning` client for its thumbprint), a file step through the `FileReader`, and every
 * result goes back to the step with the `Clock`'s time. A transport failure is classified here, so
 * the request itself (whose headers hold the secret) never ends up in an error.
 *
 * @internal
 */
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import type * as Either from "effect/Either"
import type { AccessToken } from "../AccessToken.js"
import { CertificatePinning } from "../CertificatePinning.js"
import { FileReader } from "../FileReader.js"
import { HttpTransport, type Service as HttpTransportService } from "../HttpTransport.js"
import { type EndpointError, Unavailable } from "../ManagedIdentityError.js"
import type { Moment, Step } from "../Source.js"
import * as TokenResponse from "../TokenResponse.js"
import { failed, transportFailure } from "./protocol.js"

type Requirements = HttpTransport | FileReader | CertificatePinning

/**
 * Runs one attempt: the steps from `first` to a token or an error.
 *
 * @internal
 */
export const run = (first: Step): Effect.Effect<AccessToken, EndpointError, Requirements> =>
  Effect.flatMap(Clock.currentTimeMillis, (startedAt) => {
    let requests = 0
    const moment: Effect.Effect<Moment> = Effect.map(Clock.currentTimeMillis, (now) => ({
      now,
      elapsedMs: Math.max(0, now - startedAt),
      requests
    }))
    const then = <A, E>(
      effect: Effect.Effect<A, E, Requirements>,
      next: (result: Either.Either<A, E>, at: Moment) => Step
    ): Effect.Effect<AccessToken, EndpointError, Requirements> =>
      Effect.flatMap(Effect.either(effect), (result) => Effect.flatMap(moment, (at) => loop(next(result, at))))
    const loop = (step: Step): Effect.Effect<AccessToken, EndpointError, Requirements> => {
      switch (step._tag) {
        case "Done":
          return Effect.succeed(step.token)
        case "Failed":
          return Effect.fail(step.error)
        case "Send": {
          requests++
          const pin = step.pinnedThumbprint
          const client: Effect.Effect<HttpTransportService, Unavailable, Requirements> =
            pin === undefined
              ? HttpTransport
              : Effect.flatMap(CertificatePinning, (pinning) =>
                  Effect.mapError(pinning.client(pin), (error) =>
                    error.endpoint === undefined
                      ? new Unavailable({ ...error, message: error.message, endpoint: step.exchange.endpoint })
                      : error
                  )
                )
          return Effect.flatMap(client, (transport) =>
            Effect.flatMap(
              Effect.either(transport.send(step.request, { maxBodyBytes: TokenResponse.MAX_BODY_BYTES })),
              (sent) =>
                Effect.flatMap(moment, (at) =>
                  loop(
                    sent._tag === "Right"
                      ? step.next(sent.right, at)
                      : failed(transportFailure(sent.left, step.exchange, at))
                  )
                )
            )
          )
        }
        case "RealPath":
          return then(
            Effect.flatMap(FileReader, (files) => files.realPath(step.path)),
            step.next
          )
        case "Stat":
          return then(
            Effect.flatMap(FileReader, (files) => files.stat(step.path)),
            step.next
          )
        case "ReadText":
          return then(
            Effect.flatMap(FileReader, (files) => files.readText(step.path, { maxBytes: step.maxBytes })),
            step.next
          )
      }
    }
    return loop(first)
  })
