/**
 * What the `fetch`-based adapters (Deno, Bun, edge) share to talk to managed-identity endpoints:
 * an `HttpClient` over a given `fetch` that never follows a redirect. `fetch` has no connect
 * timeout: Deno and Bun put `ConnectProbe` in front of theirs.
 *
 * @since 0.1.0
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import type * as Effect from "effect/Effect"
import * as internal from "./internal/fetchTransport.js"

/**
 * An `HttpClient` that sends through `fetch` (called with no receiver) and never follows a
 * redirect: a token request answered with one is classified, not chased. The `fetch` is provided
 * to each request, so a `FetchHttpClient.Fetch` provided elsewhere in the program cannot replace it.
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import * as Effect from "effect/Effect"
 * import { FetchTransport } from "@managed-identity/core"
 *
 * const status = Effect.gen(function* () {
 *   const client = yield* FetchTransport.make((input, init) => globalThis.fetch(input, init))
 *   const response = yield* client.get("http://127.0.0.1:8080/metadata/identity/oauth2/token")
 *   return response.status
 * })
 * ```
 */
export const make: (fetch: typeof globalThis.fetch) => Effect.Effect<HttpClient.HttpClient> = internal.make

/**
 * The URL a `fetch` call goes to, whatever form its input takes.
 *
 * @since 0.1.0
 * @category utils
 * @example
 * ```ts
 * import { FetchTransport } from "@managed-identity/core"
 *
 * FetchTransport.urlOf("http://127.0.0.1:40342/metadata/identity/oauth2/token").host // "127.0.0.1:40342"
 * ```
 */
export const urlOf: (input: string | URL | globalThis.Request) => URL = internal.urlOf
