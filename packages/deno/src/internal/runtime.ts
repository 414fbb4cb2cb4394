/**
 * The part of the `Deno` namespace this adapter uses, typed here so the package compiles with
 * `tsc` (which has no Deno types) as well as with `deno check`.
 */

/** @internal */
export type PermissionState = "granted" | "denied" | "prompt"

/** @internal */
export type PermissionDescriptor =
  | { readonly name: "env"; readonly variable?: string }
  | { readonly name: "net"; readonly host?: string }
  | { readonly name: "read"; readonly path?: string }

/** @internal */
export interface DenoHttpClient {
  close(): void
}

/** @internal */
export interface DenoFile {
  read(buffer: Uint8Array): Promise<number | null>
  stat(): Promise<{ readonly isFile: boolean; readonly size: number }>
  close(): void
}

/** @internal */
export interface DenoNamespace {
  readonly build: { readonly os: string }
  readonly env: {
    toObject(): Record<string, string>
    get(name: string): string | undefined
  }
  readonly permissions?: {
    querySync?(descriptor: PermissionDescriptor): { readonly state: PermissionState }
    requestSync?(descriptor: PermissionDescriptor): { readonly state: PermissionState }
  }
  createHttpClient?(options: {
    readonly proxy?: { readonly transport: "tcp"; readonly hostname: string; readonly port: number }
  }): DenoHttpClient
  realPath(path: string): Promise<string>
  stat(path: string): Promise<{ readonly isFile: boolean; readonly size: number }>
  statSync(path: string): { readonly isFile: boolean }
  open(path: string, options: { readonly read: true }): Promise<DenoFile>
}

/**
 * The `Deno` namespace, or `undefined` outside Deno.
 *
 * @internal
 */
export const deno = (): DenoNamespace | undefined => {
  const candidate = (globalThis as { Deno?: DenoNamespace }).Deno
  return typeof candidate?.env?.get === "function" ? candidate : undefined
}

/**
 * What Deno says about a permission, asking once (unless `ask` is false) if it would prompt (in a terminal Deno shows its
 * prompt; otherwise, or with `--no-prompt`, the answer is `denied`, as the operation itself would
 * get). `undefined` where the permission API is missing (Deno Deploy grants what it allows).
 *
 * @internal
 */
export const permission = (
  descriptor: PermissionDescriptor,
  options: { readonly ask: boolean } = { ask: true }
): PermissionState | undefined => {
  const permissions = deno()?.permissions
  if (permissions?.querySync === undefined) return undefined
  try {
    const queried = permissions.querySync(descriptor).state
    return queried === "prompt" && options.ask && permissions.requestSync !== undefined
      ? permissions.requestSync(descriptor).state
      : queried
  } catch {
    return undefined
  }
}

/**
 * Whether a failure is Deno refusing an operation for lack of a permission flag (`NotCapable`
 * since Deno 2, `PermissionDenied` before).
 *
 * @internal
 */
export const isMissingPermission = (cause: unknown): boolean =>
  typeof cause === "object" &&
  cause !== null &&
  ((cause as { name?: unknown }).name === "NotCapable" ||
    ((cause as { name?: unknown }).name === "PermissionDenied" &&
      /--allow-|requires \w+ access/i.test(String((cause as { message?: unknown }).message))))
