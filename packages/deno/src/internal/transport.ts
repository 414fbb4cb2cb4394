import * as FetchTransport from "@managed-identity/core/FetchTransport"
import type * as HttpTransport from "@managed-identity/core/HttpTransport"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import * as plain from "./fetch.js"

/**
 * How the client connects.
 *
 * @internal
 */
export interface Options {
  readonly connectTimeout?: Duration.DurationInput | undefined
}

/**
 * The transport over `fetch.ts`'s fetch, whose direct clients close with the scope.
 *
 * A background refresh (`HttpTransport.background`) cannot be kept from holding the process here:
 * Deno's `fetch` has no `unref`, so a refresh whose endpoint never answers holds an otherwise idle
 * process until its attempt times out (its retry waits, on unref'd timers, do not). An abandoned
 * call is another matter: interrupting the send aborts its `fetch`.
 *
 * @internal
 */
export const make = (options: Options = {}): Effect.Effect<HttpTransport.Service, never, Scope.Scope> =>
  Effect.map(
    Effect.acquireRelease(
      Effect.sync(() => plain.make(options.connectTimeout)),
      (client) => Effect.sync(client.close)
    ),
    (client) => FetchTransport.make(client.fetch)
  )
