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
 * @internal
 */
export const make = (options: Options = {}): HttpTransport.Service =>
  FetchTransport.make(plain.make(options.connectTimeout))
