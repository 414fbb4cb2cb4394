/**
 * The one thing a runtime adapter must give core to reach an endpoint: send one token request and
 * read its answer, whole, under a size cap. Sources build plain `Request`s (a method, a URL,
 * headers, at most a form body); a transport sends them with whatever the runtime has
 * (`node:http`, `fetch`, a pinned TLS socket) and answers with the status, the headers and the body
 * as text.
 *
 * Why not `@effect/platform`'s `HttpClient` and `HttpClientRequest`: a token request needs none of
 * their streaming, cookies, schema decoding, body kinds or tracing, and they cost about 30 KiB
 * gzipped in an edge bundle (the request model alone 1.5 KiB) and much of a Node cold start's
 * module loading. `HttpClientTransport` adapts any `HttpClient` for programs that want theirs to
 * carry the requests.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as FiberRef from "effect/FiberRef"
import type * as HttpRequest from "./HttpRequest.js"
import { backgroundWork } from "./internal/background.js"

export {
  /**
   * A `GET` request (`HttpRequest.get`).
   *
   * @since 0.1.0
   */
  get,
  /**
   * A form `POST` (`HttpRequest.postForm`).
   *
   * @since 0.1.0
   */
  postForm,
  /**
   * One more header (`HttpRequest.setHeader`).
   *
   * @since 0.1.0
   */
  setHeader,
  /**
   * A request taken apart for a runtime's client (`HttpRequest.parts`).
   *
   * @since 0.1.0
   */
  parts,
  /**
   * A body reader under a cap (`HttpRequest.boundedBody`).
   *
   * @since 0.1.0
   */
  boundedBody,
  /**
   * The `too-large` error (`HttpRequest.tooLarge`).
   *
   * @since 0.1.0
   */
  tooLarge,
  /**
   * The `request`/`body` error (`HttpRequest.failed`).
   *
   * @since 0.1.0
   */
  failed,
  /**
   * Whether a declared length is over the cap (`HttpRequest.declaredTooLarge`).
   *
   * @since 0.1.0
   */
  declaredTooLarge,
  /**
   * Why a transport has no answer (`HttpRequest.TransportError`).
   *
   * @since 0.1.0
   */
  TransportError,
  /**
   * The connect-timeout code (`HttpRequest.CONNECT_TIMEOUT_CODE`).
   *
   * @since 0.1.0
   */
  CONNECT_TIMEOUT_CODE
} from "./HttpRequest.js"

/**
 * A token request (`HttpRequest.Request`).
 *
 * @since 0.1.0
 * @category models
 */
export type Request = HttpRequest.Request

/**
 * An answer read in full (`HttpRequest.Answer`).
 *
 * @since 0.1.0
 * @category models
 */
export type Answer = HttpRequest.Answer

/**
 * A request taken apart for a runtime's client (`HttpRequest.Parts`).
 *
 * @since 0.1.0
 * @category models
 */
export type Parts = HttpRequest.Parts

/**
 * `Either`'s shape (`HttpRequest.ResultOf`).
 *
 * @since 0.1.0
 * @category models
 */
export type ResultOf<A> = HttpRequest.ResultOf<A>

/**
 * What a transport does: send one request, read its answer holding at most `maxBodyBytes + 1`
 * bytes of body, and stop (closing the connection) when the effect is interrupted. It never follows
 * a redirect and never goes through a proxy.
 *
 * @since 0.1.0
 * @category models
 */
export interface Service {
  readonly send: (
    request: HttpRequest.Request,
    options: { readonly maxBodyBytes: number }
  ) => Effect.Effect<HttpRequest.Answer, HttpRequest.TransportError>
}

/**
 * The transport every source sends through. Runtime adapters provide it (`NodeHttpTransport`,
 * `DenoHttpTransport`, `BunHttpTransport`, `EdgeHttpTransport`, the pinned transports of
 * `CertificatePinning`); `HttpClientTransport` puts an `@effect/platform` `HttpClient` underneath.
 *
 * @since 0.1.0
 * @category tags
 * @example
 * ```ts
 * import * as Effect from "effect/Effect"
 * import { HttpTransport } from "@managed-identity/core"
 *
 * const status = Effect.flatMap(HttpTransport.HttpTransport, (transport) =>
 *   Effect.map(
 *     transport.send(HttpTransport.get("http://127.0.0.1:40342/metadata/identity/oauth2/token"), {
 *       maxBodyBytes: 65_536
 *     }),
 *     (answer) => answer.status
 *   )
 * )
 * ```
 */
export class HttpTransport extends Context.Tag("@managed-identity/core/HttpTransport")<HttpTransport, Service>() {}

/**
 * `true` while a request is made for nobody waiting: a token cache's background refresh. A
 * transport whose runtime allows it lets such a request's connection not hold the process open
 * (Node's `socket.unref()`), so an idle process can still exit while a refresh is on its way.
 *
 * @since 0.1.0
 * @category fiber refs
 * @example
 * ```ts
 * import * as Effect from "effect/Effect"
 * import * as FiberRef from "effect/FiberRef"
 * import { HttpTransport } from "@managed-identity/core"
 *
 * const unrefIfBackground = FiberRef.getWith(HttpTransport.background, (background) =>
 *   Effect.sync(() => background && console.log("this request must not keep the process alive"))
 * )
 * ```
 */
export const background: FiberRef.FiberRef<boolean> = backgroundWork

/**
 * The Effect transport of a plain one (`HttpRequest.PlainSend`): interrupting the effect aborts the
 * request, and a request made as background work (`background`) is sent as such. The fetch, node-module
 * and pinned transports are all this over their plain send, so each send is written once.
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import { HttpTransport, TokenCredential } from "@managed-identity/core"
 *
 * const transport = HttpTransport.fromPromise(TokenCredential.fetchSend(globalThis.fetch))
 * ```
 */
export const fromPromise = (send: HttpRequest.PlainSend): Service => ({
  send: (request, { maxBodyBytes }) =>
    Effect.flatMap(FiberRef.get(backgroundWork), (inBackground) =>
      Effect.async<Answer, HttpRequest.TransportError>((resume, signal) => {
        send(request, { maxBodyBytes, signal, background: inBackground }).then(
          (answer) => resume(Effect.succeed(answer)),
          (error: HttpRequest.TransportError) => {
            if (!signal.aborted) resume(Effect.fail(error))
          }
        )
      })
    )
})
