/**
 * The transport that talks to managed-identity endpoints on Deno: core's `HttpTransport` over
 * Deno's `fetch` (`FetchTransport`). It never follows a redirect, reads at most the body cap, and
 * never sends a plain-HTTP request (IMDS, App Service, Arc, Cloud Shell: all local or link-local)
 * through `HTTP_PROXY`, which Deno's fetch would otherwise do even for 127.0.0.1. HTTPS requests
 * (Entra, for workload identity) follow Deno's proxy settings (`HTTPS_PROXY`, `NO_PROXY`). Before
 * the first request to a plain-HTTP endpoint, a TCP connect with a short timeout tells "nothing
 * here" from "endpoint slow", which `fetch` alone cannot.
 *
 * To send through your own `@effect/platform` `HttpClient` instead, provide core's
 * `HttpClientTransport.layer`.
 *
 * @since 0.1.0
 */
import { HttpTransport, type Service } from "@managed-identity/core/HttpTransport"
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import * as internal from "./internal/transport.js"

/**
 * How the transport connects.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /**
   * How long the first request to a plain-HTTP endpoint waits for a TCP connection before deciding
   * nothing is there (`Unavailable`). `fetch` has no connect timeout, so a plain connect with this
   * timeout goes first. Default: 1 second; 0 turns it off.
   */
  readonly connectTimeout?: Duration.DurationInput | undefined
}

/**
 * Builds the transport; its direct connections are closed when the scope closes.
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import * as Effect from "effect/Effect"
 * import { DenoHttpTransport } from "@managed-identity/deno/effect"
 *
 * const status = Effect.scoped(
 *   Effect.gen(function* () {
 *     const transport = yield* DenoHttpTransport.make({ connectTimeout: "500 millis" })
 *     const answer = yield* transport.send(
 *       HttpTransport.get("http://127.0.0.1:8080/metadata/identity/oauth2/token"),
 *       { maxBodyBytes: 65_536 }
 *     )
 *     return answer.status
 *   })
 * )
 * ```
 */
export const make = (options: Options = {}): Effect.Effect<Service, never, Scope.Scope> => internal.make(options)

/**
 * A layer providing core's `HttpTransport` for managed-identity endpoints on Deno.
 *
 * @since 0.1.0
 * @category layers
 * @example
 * ```ts
 * import * as Effect from "effect/Effect"
 * import { HttpTransport } from "@managed-identity/core"
 * import { DenoHttpTransport } from "@managed-identity/deno/effect"
 *
 * const program = Effect.flatMap(HttpTransport.HttpTransport, (transport) =>
 *   transport.send(HttpTransport.get("http://127.0.0.1:8080/"), { maxBodyBytes: 65_536 })
 * )
 * Effect.runPromise(Effect.scoped(Effect.provide(program, DenoHttpTransport.layer({ connectTimeout: "1 second" }))))
 * ```
 */
export const layer = (options: Options = {}): Layer.Layer<HttpTransport> =>
  Layer.scoped(HttpTransport, internal.make(options))
