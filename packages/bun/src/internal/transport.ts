import * as FetchTransport from "@managed-identity/core/FetchTransport"
import type * as HttpTransport from "@managed-identity/core/HttpTransport"
import type * as Duration from "effect/Duration"
import * as plain from "./fetch.js"

/**
 * How the transport connects.
 *
 * @internal
 */
export interface Options {
  readonly connectTimeout?: Duration.DurationInput | undefined
}

/**
 * The transport over `fetch.ts`'s fetch: one probe (and its set of reachable origins) per
 * transport built.
 *
 * A background refresh (`HttpTransport.background`) cannot be kept from holding the process here:
 * Bun's `fetch` has no `unref`, so a refresh whose endpoint never answers holds an otherwise idle
 * process until its attempt times out (its retry waits, on unref'd timers, do not). An abandoned
 * call is another matter: interrupting the send aborts its `fetch`.
 *
 * @internal
 */
export const make = (options: Options = {}): HttpTransport.Service =>
  FetchTransport.make(plain.make(options.connectTimeout))
