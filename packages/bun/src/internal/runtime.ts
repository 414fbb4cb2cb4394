import { InvalidArgument } from "@managed-identity/core/ManagedIdentityError"
/**
 * The part of the `Bun` namespace this adapter uses, typed here so the package compiles with `tsc`
 * without Bun's types.
 */

/** @internal */
export interface BunStats {
  isFile(): boolean
  readonly size: number
}

/** @internal */
export interface BunFile {
  stat(): Promise<BunStats>
  slice(begin: number, end: number): { arrayBuffer(): Promise<ArrayBuffer> }
}

/** @internal */
export interface BunNamespace {
  readonly env: Record<string, string | undefined>
  file(path: string): BunFile
}

/**
 * The `Bun` namespace, or `undefined` outside Bun.
 *
 * @internal
 */
export const bun = (): BunNamespace | undefined => {
  const candidate = (globalThis as { Bun?: BunNamespace }).Bun
  return typeof candidate?.file === "function" && candidate.env !== undefined ? candidate : undefined
}

/**
 * The error of a Bun adapter running elsewhere.
 *
 * @internal
 */
export const notBun = (): InvalidArgument =>
  new InvalidArgument({
    argument: "runtime",
    message: "@managed-identity/bun must run under Bun (Bun.env is not available); use the adapter for your runtime"
  })
