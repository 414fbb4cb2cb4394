import * as FileReader from "@managed-identity/core/FileReader"
import * as Effect from "effect/Effect"
import { type DenoNamespace, deno, isMissingPermission } from "./runtime.js"

const nameOf = (cause: unknown): string | undefined =>
  typeof cause === "object" && cause !== null && typeof (cause as { name?: unknown }).name === "string"
    ? (cause as { name: string }).name
    : undefined

/**
 * Maps a Deno file-system failure to a `FileError`: a missing `--allow-read` names the flag,
 * anything else goes by the error's name (core's mapping). Deno's own message is not reused, so
 * nothing read from a file can leak into it.
 *
 * @internal
 */
export const toFileError = (path: string, cause: unknown): FileReader.FileError =>
  isMissingPermission(cause)
    ? new FileReader.FileError({
        path,
        reason: "permission-denied",
        message: `${path}: Deno may not read it; run with --allow-read=${path} (or --allow-read)`
      })
    : FileReader.errorFromCode(path, nameOf(cause))

const attempt = <A>(path: string, run: () => Promise<A>): Effect.Effect<A, FileReader.FileError> =>
  Effect.tryPromise({ try: run, catch: (cause) => toFileError(path, cause) })

const info = (stats: { readonly size: number; readonly isFile: boolean }): FileReader.FileInfo => ({
  size: stats.size,
  isFile: stats.isFile
})

/** @internal */
export const primitives = (runtime: DenoNamespace): FileReader.Primitives => ({
  realPath: (path) => attempt(path, () => runtime.realPath(path)),
  stat: (path) => attempt(path, async () => info(await runtime.stat(path))),
  open: (path) =>
    Effect.map(
      Effect.acquireRelease(
        attempt(path, () => runtime.open(path, { read: true })),
        (file) =>
          Effect.sync(() => {
            try {
              file.close()
            } catch {
              // already closed
            }
          })
      ),
      (file): FileReader.OpenFile => ({
        stat: attempt(path, async () => info(await file.stat())),
        // Deno answers `null` at the end of the file.
        read: (buffer) => attempt(path, async () => (await file.read(buffer)) ?? 0)
      })
    )
})

/** @internal */
export const make = (): FileReader.FileReader["Type"] => {
  const runtime = deno()
  return runtime === undefined
    ? FileReader.unsupported("@managed-identity/deno must run under Deno")
    : FileReader.make(primitives(runtime))
}
