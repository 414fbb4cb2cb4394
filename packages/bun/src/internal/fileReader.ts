import { FileReader } from "@managed-identity/core"
import * as Effect from "effect/Effect"
import { realpath } from "node:fs/promises"
import { type BunNamespace, bun } from "./runtime.js"

type Service = FileReader.FileReader["Type"]

// Bun's file-system errors carry Node's `code`s: core maps them, without Bun's message.
const toFileError: (path: string, cause: unknown) => FileReader.FileError = FileReader.errorFromCause

const stat = (runtime: BunNamespace, path: string) =>
  Effect.tryPromise({ try: () => runtime.file(path).stat(), catch: (cause) => toFileError(path, cause) })

const readText = (runtime: BunNamespace, path: string, maxBytes: number) =>
  Effect.gen(function* () {
    const limit = Math.max(0, Math.floor(maxBytes))
    // stat first: a huge file is refused without reading it, a directory or FIFO without opening it.
    const info = yield* stat(runtime, path)
    if (!info.isFile()) return yield* Effect.fail(FileReader.notAFile(path))
    const tooLarge = FileReader.tooLarge(path, limit)
    if (info.size > limit) return yield* Effect.fail(tooLarge)
    // At most one byte more than allowed: getting it back means the file grew past the limit.
    const bytes = yield* Effect.tryPromise({
      try: () =>
        runtime
          .file(path)
          .slice(0, limit + 1)
          .arrayBuffer(),
      catch: (cause) => toFileError(path, cause)
    })
    if (bytes.byteLength > limit) return yield* Effect.fail(tooLarge)
    return new TextDecoder().decode(bytes)
  })

/** @internal */
export const make = (): Service => {
  const runtime = bun()
  if (runtime === undefined) return FileReader.unsupported("@managed-identity/bun must run under Bun")
  return {
    realPath: (path) => Effect.tryPromise({ try: () => realpath(path), catch: (cause) => toFileError(path, cause) }),
    stat: (path) => Effect.map(stat(runtime, path), (info) => ({ size: info.size, isFile: info.isFile() })),
    readText: (path, { maxBytes }) => readText(runtime, path, maxBytes),
    // Not `Bun.file(path).exists()`, which is false for a directory.
    exists: (path) => Effect.match(stat(runtime, path), { onFailure: () => false, onSuccess: () => true })
  }
}
