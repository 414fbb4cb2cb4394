import { FileReader } from "@managed-identity/core"
import * as Effect from "effect/Effect"
import { type DenoFile, type DenoNamespace, deno, isMissingPermission } from "./runtime.js"

type Service = FileReader.FileReader["Type"]

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

const chunkBytes = 16 * 1024

/**
 * Reads at most `limit` bytes; the caller asks for one more than it allows, so getting `limit`
 * bytes back means the file is too large, whatever `stat` said (files grow).
 */
const readAtMost = async (file: DenoFile, limit: number): Promise<Uint8Array> => {
  const chunks: Array<Uint8Array> = []
  let total = 0
  while (total < limit) {
    const buffer = new Uint8Array(Math.min(chunkBytes, limit - total))
    const read = await file.read(buffer)
    if (read === null || read === 0) break
    chunks.push(buffer.subarray(0, read))
    total += read
  }
  const bytes = new Uint8Array(total)
  let offset = 0
  for (const chunk of chunks) {
    bytes.set(chunk, offset)
    offset += chunk.byteLength
  }
  return bytes
}

const readText = (runtime: DenoNamespace, path: string, maxBytes: number) =>
  Effect.gen(function* () {
    const limit = Math.max(0, Math.floor(maxBytes))
    // stat before open: a huge file is refused without opening it, a directory or FIFO without reading it.
    const before = yield* Effect.tryPromise({
      try: () => runtime.stat(path),
      catch: (cause) => toFileError(path, cause)
    })
    if (!before.isFile) return yield* Effect.fail(FileReader.notAFile(path))
    if (before.size > limit) return yield* Effect.fail(FileReader.tooLarge(path, limit))
    const bytes = yield* Effect.acquireUseRelease(
      Effect.tryPromise({ try: () => runtime.open(path, { read: true }), catch: (cause) => toFileError(path, cause) }),
      (file) =>
        Effect.tryPromise({
          try: async () => {
            // The path may have been swapped between stat and open: check what was actually opened.
            const opened = await file.stat()
            return opened.isFile ? await readAtMost(file, limit + 1) : undefined
          },
          catch: (cause) => toFileError(path, cause)
        }),
      (file) =>
        Effect.sync(() => {
          try {
            file.close()
          } catch {
            // already closed
          }
        })
    )
    if (bytes === undefined) return yield* Effect.fail(FileReader.notAFile(path))
    if (bytes.byteLength > limit) return yield* Effect.fail(FileReader.tooLarge(path, limit))
    return new TextDecoder().decode(bytes)
  })

/** @internal */
export const make = (): Service => {
  const runtime = deno()
  if (runtime === undefined) return FileReader.unsupported("@managed-identity/deno must run under Deno")
  return {
    realPath: (path) =>
      Effect.tryPromise({ try: () => runtime.realPath(path), catch: (cause) => toFileError(path, cause) }),
    stat: (path) =>
      Effect.tryPromise({
        try: async () => {
          const info = await runtime.stat(path)
          return { size: info.size, isFile: info.isFile }
        },
        catch: (cause) => toFileError(path, cause)
      }),
    readText: (path, { maxBytes }) => readText(runtime, path, maxBytes),
    exists: (path) =>
      Effect.match(
        Effect.tryPromise(() => runtime.stat(path)),
        { onFailure: () => false, onSuccess: () => true }
      )
  }
}
