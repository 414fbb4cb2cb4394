/**
 * The transport that talks to managed-identity endpoints on Bun: core's `HttpTransport` over Bun's
 * `fetch` (`FetchTransport`). It never follows a redirect, reads at most the body cap, and sends
 * plain-HTTP requests (IMDS, App Service, Arc, Cloud Shell: all local or link-local) directly,
 * whatever `HTTP_PROXY` says; HTTPS requests (Entra, for workload identity) follow Bun's proxy
 * settings (`HTTPS_PROXY`, `NO_PROXY`). Bun keeps connections alive. Before the first request to a
 * plain-HTTP endpoint, a TCP connect with a short timeout tells "nothing here" from "endpoint
 * slow", which `fetch` alone cannot.
 *
 * To send through your own `@effect/platform` `HttpClient` instead, provide core's
 * `HttpClientTransport.layer`.
 *
 * @since 0.1.0
 */
import { HttpTransport, type Service } from "@managed-identity/core/HttpTransport"
import type * as Duration from "effect/Duration"
import * as Layer from "effect/Layer"
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
 * Builds the transport.
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import * as Effect from "effect/Effect"
 * import { BunHttpTransport } from "@managed-identity/bun/effect"
 *
 * const transport = BunHttpTransport.make({ connectTimeout: "500 millis" })
 * const status = Effect.map(
 *   transport.send(HttpTransport.get("http://127.0.0.1:8080/metadata/identity/oauth2/token"), {
 *     maxBodyBytes: 65_536
 *   }),
 *   (answer) => answer.status
 * )
 * ```
 */
export const make = (options: Options = {}): Service => internal.make(options)

/**
 * A layer providing core's `HttpTransport` for managed-identity endpoints on Bun.
 *
 * @since 0.1.0
 * @category layers
 * @example
 * ```ts
 * import * as Effect from "effect/Effect"
 * import { HttpTransport } from "@managed-identity/core"
 * import { BunHttpTransport } from "@managed-identity/bun/effect"
 *
 * const program = Effect.flatMap(HttpTransport.HttpTransport, (transport) =>
 *   transport.send(HttpTransport.get("http://127.0.0.1:8080/"), { maxBodyBytes: 65_536 })
 * )
 * Effect.runPromise(Effect.provide(program, BunHttpTransport.layer({ connectTimeout: "1 second" })))
 * ```
 */
export const layer = (options: Options = {}): Layer.Layer<HttpTransport> =>
  Layer.sync(HttpTransport, () => internal.make(options))
