/**
 * Node's modules without an ES import, and the connect timeout: plain values the Promise API uses
 * without loading the Effect runtime (`NodeConnection` re-exports them).
 *
 * @internal
 */

import * as Duration from "effect/Duration"

/** @internal */
export const DEFAULT_CONNECT_TIMEOUT_MS = 1_000

/** A connect timeout (any `Duration` input, default 1 s) in milliseconds. @internal */
export const connectTimeoutMs = (input: Duration.DurationInput | undefined): number =>
  input === undefined ? DEFAULT_CONNECT_TIMEOUT_MS : Duration.toMillis(Duration.decode(input))

/** @internal */
export const builtin = <M>(id: `node:${string}`): M | undefined => {
  const runtime = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process
  return typeof runtime?.getBuiltinModule === "function" ? (runtime.getBuiltinModule(id) as M | undefined) : undefined
}

/** Keep-alive pools unless turned off, and their size limit if any. @internal */
export const agentOptions = (options: {
  readonly keepAlive?: boolean | undefined
  readonly maxSockets?: number | undefined
}): { readonly keepAlive: boolean; readonly maxSockets?: number } => ({
  keepAlive: options.keepAlive !== false,
  ...(options.maxSockets === undefined ? {} : { maxSockets: options.maxSockets })
})
