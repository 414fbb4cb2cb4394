import * as FileReader from "@managed-identity/core/FileReader"
import * as Effect from "effect/Effect"
import { constants } from "node:fs"
import * as fs from "node:fs/promises"

type Service = FileReader.FileReader["Type"]

// `node:fs` failures map by their `code` (core's mapping); Node's own message is not reused, so
// nothing read from a file can leak into an error.
const toFileError: (path: string, cause: unknown) => FileReader.FileError = FileReader.errorFromCause

const chunkBytes = 16 * 1024

// Never blocks on a FIFO opened by mistake (no writer would ever come); absent on Windows.
const openFlags = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0)

/**
 * Reads at most `limit` bytes; the caller asks for one more than it allows, so getting
 * `limit` bytes back means the file is too large, whatever `stat` said (files grow, and
 * `/proc`-like files report size 0).
 */
const readAtMost = async (handle: fs.FileHandle, limit: number): Promise<Buffer> => {
  const chunks: Array<Buffer> = []
  let total = 0
  while (total < limit) {
    const buffer = Buffer.allocUnsafe(Math.min(chunkBytes, limit - total))
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, null)
    if (bytesRead === 0) break
    chunks.push(buffer.subarray(0, bytesRead))
    total += bytesRead
  }
  return Buffer.concat(chunks, total)
}

const readText = (path: string, maxBytes: number): Effect.Effect<string, FileReader.FileError> =>
  Effect.gen(function* () {
    const limit = Math.max(0, Math.floor(maxBytes))
    // stat before open: a huge file is refused without opening it, a directory or device without reading it.
    const before = yield* Effect.tryPromise({ try: () => fs.stat(path), catch: (cause) => toFileError(path, cause) })
    if (!before.isFile()) return yield* Effect.fail(FileReader.notAFile(path))
    if (before.size > limit) return yield* Effect.fail(FileReader.tooLarge(path, limit))
    const bytes = yield* Effect.acquireUseRelease(
      Effect.tryPromise({ try: () => fs.open(path, openFlags), catch: (cause) => toFileError(path, cause) }),
      (handle) =>
        Effect.tryPromise({
          try: async () => {
            // The path may have been swapped between stat and open: check what was actually opened.
            const opened = await handle.stat()
            return opened.isFile() ? await readAtMost(handle, limit + 1) : undefined
          },
          catch: (cause) => toFileError(path, cause)
        }),
      (handle) => Effect.promise(() => handle.close().catch(() => undefined))
    )
    if (bytes === undefined) return yield* Effect.fail(FileReader.notAFile(path))
    if (bytes.byteLength > limit) return yield* Effect.fail(FileReader.tooLarge(path, limit))
    return bytes.toString("utf8")
  })

/** @internal */
export const make = (): Service => ({
  realPath: (path) => Effect.tryPromise({ try: () => fs.realpath(path), catch: (cause) => toFileError(path, cause) }),
  stat: (path) =>
    Effect.tryPromise({
      try: async () => {
        const stats = await fs.stat(path)
        return { size: stats.size, isFile: stats.isFile() }
      },
      catch: (cause) => toFileError(path, cause)
    }),
  readText: (path, { maxBytes }) => readText(path, maxBytes),
  exists: (path) =>
    Effect.match(
      Effect.tryPromise(() => fs.stat(path)),
      { onFailure: () => false, onSuccess: () => true }
    )
})
