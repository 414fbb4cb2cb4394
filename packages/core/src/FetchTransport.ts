/**
 * What the `fetch`-based adapters (Deno, Bun, edge) share to talk to managed-identity endpoints:
 * an `HttpTransport` over a given `fetch` that never follows a redirect and reads at most the
 * body cap. `fetch` has no connect timeout: Deno and Bun put `@managed-identity/node-shared`'s
 * `ConnectProbe` in front of theirs.
 *
 * @since 0.1.0
 */
import * as Layer from "effect/Layer"
import { HttpTransport, type Service } from "./HttpTransport.js"
import * as HttpRequest from "./HttpRequest.js"
import * as internal from "./internal/fetchTransport.js"

/**
 * An `HttpTransport` that sends through `fetch` (called with no receiver) and never follows a
 * redirect: a token request answered with one is classified, not chased. Interrupting the send
 * aborts the `fetch`.
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import * as Effect from "effect/Effect"
 * import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
 * import { FetchTransport } from "@managed-identity/core"
 *
 * const transport = FetchTransport.make((input, init) => globalThis.fetch(input, init))
 * const status = Effect.map(
 *   transport.send(HttpClientRequest.get("http://127.0.0.1:8080/metadata/identity/oauth2/token"), {
 *     maxBodyBytes: 65_536
 *   }),
 *   (answer) => answer.status
 * )
 * ```
 */
export const make: (fetch: typeof globalThis.fetch) => Service = internal.make

/**
 * `make` as a layer.
 *
 * @since 0.1.0
 * @category layers
 * @example
 * ```ts
 * import { FetchTransport } from "@managed-identity/core"
 *
 * const transport = FetchTransport.layer((input, init) => globalThis.fetch(input, init))
 * ```
 */
export const layer = (fetch: typeof globalThis.fetch): Layer.Layer<HttpTransport> =>
  Layer.sync(HttpTransport, () => internal.make(fetch))

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
export const urlOf: (input: string | URL | globalThis.Request) => URL = HttpRequest.urlOf
