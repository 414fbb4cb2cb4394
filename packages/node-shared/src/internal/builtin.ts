/**
 * Node's modules without an ES import, and the connect-timeout default: plain values the Promise
 * API uses without loading the Effect runtime (`NodeConnection` re-exports them).
 *
 * @internal
 */

/** @internal */
export const DEFAULT_CONNECT_TIMEOUT_MS = 1_000

/** @internal */
export const builtin = <M>(id: `node:${string}`): M | undefined => {
  const runtime = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process
  return typeof runtime?.getBuiltinModule === "function" ? (runtime.getBuiltinModule(id) as M | undefined) : undefined
}
