import * as FileReader from "@managed-identity/core/FileReader"
import * as Effect from "effect/Effect"
import { realpath } from "node:fs/promises"
import { type BunNamespace, type BunStats, bun } from "./runtime.js"

// Bun's file-system errors carry Node's `code`s: core maps them, without Bun's message.
const attempt = <A>(path: string, run: () => Promise<A>): Effect.Effect<A, FileReader.FileError> =>
  Effect.tryPromise({ try: run, catch: (cause) => FileReader.errorFromCause(path, cause) })

const info = (stats: BunStats): FileReader.FileInfo => ({ size: stats.size, isFile: stats.isFile() })

/**
 * Bun's file API has no open handle: a `Bun.file` is a path read on demand, so the opened file's
 * `stat` is the path's, taken again just before reading, and each read is a slice from where the
 * last one ended (a slice reads the file as it is now, grown or not).
 *
 * @internal
 */
export const primitives = (runtime: BunNamespace): FileReader.Primitives => ({
  realPath: (path) => attempt(path, () => realpath(path)),
  stat: (path) => attempt(path, async () => info(await runtime.file(path).stat())),
  open: (path) =>
    Effect.sync((): FileReader.OpenFile => {
      const file = runtime.file(path)
      let position = 0
      return {
        stat: attempt(path, async () => info(await file.stat())),
        read: (buffer) =>
          attempt(path, async () => {
            const bytes = new Uint8Array(await file.slice(position, position + buffer.length).arrayBuffer())
            buffer.set(bytes)
            position += bytes.byteLength
            return bytes.byteLength
          })
      }
    })
})

/** @internal */
export const make = (): FileReader.FileReader["Type"] => {
  const runtime = bun()
  return runtime === undefined
    ? FileReader.unsupported("@managed-identity/bun must run under Bun")
    : FileReader.make(primitives(runtime))
}
