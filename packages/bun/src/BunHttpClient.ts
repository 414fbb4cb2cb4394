/**
 * The `HttpClient` that talks to managed-identity endpoints on Bun: Bun's `fetch` behind
 * `@effect/platform`'s `FetchHttpClient`. It never follows a redirect, and sends plain-HTTP requests
 * (IMDS, App Service, Arc, Cloud Shell: all local or link-local) directly, whatever `HTTP_PROXY`
 * says; HTTPS requests (Entra, for workload identity) follow Bun's proxy settings
 * (`HTTPS_PROXY`, `NO_PROXY`). Bun keeps connections alive. Before the first request to a
 * plain-HTTP endpoint, a TCP connect with a short timeout tells "nothing here" from "endpoint
 * slow", which `fetch` alone cannot.
 *
 * @since 0.1.0
 */
import * as HttpClient from "@effect/platform/HttpClient"
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as internal from "./internal/transport.js"

/**
 * How the client connects.
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
 * Builds the client.
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import * as Effect from "effect/Effect"
 * import { BunHttpClient } from "@managed-identity/bun"
 *
 * const status = Effect.gen(function* () {
 *   const client = yield* BunHttpClient.make({ connectTimeout: "500 millis" })
 *   const response = yield* client.get("http://127.0.0.1:8080/metadata/identity/oauth2/token")
 *   return response.status
 * })
 * ```
 */
export const make = (options: Options = {}): Effect.Effect<HttpClient.HttpClient> => internal.make(options)

/**
 * A layer providing `HttpClient` for managed-identity endpoints on Bun.
 *
 * @since 0.1.0
 * @category layers
 * @example
 * ```ts
 * import * as Effect from "effect/Effect"
 * import * as HttpClient from "@effect/platform/HttpClient"
 * import { BunHttpClient } from "@managed-identity/bun"
 *
 * const program = Effect.flatMap(HttpClient.HttpClient, (client) => client.get("http://127.0.0.1:8080/"))
 * Effect.runPromise(Effect.provide(program, BunHttpClient.layer({ connectTimeout: "1 second" })))
 * ```
 */
export const layer = (options: Options = {}): Layer.Layer<HttpClient.HttpClient> =>
  Layer.effect(HttpClient.HttpClient, internal.make(options))
