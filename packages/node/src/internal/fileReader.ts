import * as FileReader from "@managed-identity/core/FileReader"
import * as Effect from "effect/Effect"
import { constants, type Stats } from "node:fs"
import * as fs from "node:fs/promises"

// `node:fs` failures map by their `code` (core's mapping); Node's own message is not reused, so
// nothing read from a file can leak into an error.
const attempt = <A>(path: string, run: () => Promise<A>): Effect.Effect<A, FileReader.FileError> =>
  Effect.tryPromise({ try: run, catch: (cause) => FileReader.errorFromCause(path, cause) })

const info = (stats: Stats): FileReader.FileInfo => ({ size: stats.size, isFile: stats.isFile() })

// Never blocks on a FIFO opened by mistake (no writer would ever come); absent on Windows.
const openFlags = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0)

/** @internal */
export const primitives: FileReader.Primitives = {
  realPath: (path) => attempt(path, () => fs.realpath(path)),
  stat: (path) => attempt(path, async () => info(await fs.stat(path))),
  open: (path) =>
    Effect.map(
      Effect.acquireRelease(
        attempt(path, () => fs.open(path, openFlags)),
        (handle) => Effect.promise(() => handle.close().catch(() => undefined))
      ),
      (handle): FileReader.OpenFile => ({
        stat: attempt(path, async () => info(await handle.stat())),
        read: (buffer) => attempt(path, async () => (await handle.read(buffer, 0, buffer.length, null)).bytesRead)
      })
    )
}

/** @internal */
export const make = (): FileReader.FileReader["Type"] => FileReader.make(primitives)
