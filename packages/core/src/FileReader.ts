/**
 * Reading small files: the workload-identity token file and Azure Arc's key file. Core never
 * imports a file system, and it owns the policy of the capped read (`make`): an adapter gives a few
 * primitives over its runtime (`node:fs`, `Deno.open`, `Bun.file`) and maps its errors; the edge
 * adapter provides `unsupported`, so sources that need a file say why.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"

/**
 * Why a file could not be read.
 *
 * @since 0.1.0
 * @category models
 */
export type FileErrorReason = "not-found" | "permission-denied" | "not-a-file" | "too-large" | "unsupported" | "other"

/**
 * A file could not be read. The message names the path, never the contents.
 *
 * @since 0.1.0
 * @category errors
 * @example
 * ```ts
 * import { FileReader } from "@managed-identity/core"
 *
 * new FileReader.FileError({ path: "/x.key", reason: "not-found", message: "/x.key: no such file" })
 * ```
 */
export class FileError extends Data.TaggedError("FileError")<{
  readonly path: string
  readonly reason: FileErrorReason
  readonly message: string
}> {}

/**
 * A `FileError` from a file-system error code: Node's and Bun's `code` (`ENOENT`, `EACCES`, …) or
 * the name of Deno's error class (`NotFound`, `PermissionDenied`, …). The runtime's own message is
 * not used: the message is built from the path and the code alone, so nothing read from a file can
 * leak into it.
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import { FileReader } from "@managed-identity/core"
 *
 * FileReader.errorFromCode("/x.key", "EACCES").reason // "permission-denied"
 * ```
 */
export const errorFromCode = (path: string, code: string | undefined): FileError => {
  switch (code) {
    case "ENOENT":
    case "ENOTDIR":
    case "NotFound":
    case "NotADirectory":
      return new FileError({ path, reason: "not-found", message: `${path}: no such file` })
    case "EACCES":
    case "EPERM":
    case "PermissionDenied":
      return new FileError({ path, reason: "permission-denied", message: `${path}: permission denied` })
    case "EISDIR":
    case "IsADirectory":
      return new FileError({ path, reason: "not-a-file", message: `${path}: is a directory` })
    default:
      return new FileError({ path, reason: "other", message: `${path}: cannot be read (${code ?? "unknown error"})` })
  }
}

/**
 * A `FileError` from a failure carrying a Node-style `code` (`node:fs`, Bun), as `errorFromCode`.
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import { FileReader } from "@managed-identity/core"
 *
 * FileReader.errorFromCause("/x.key", Object.assign(new Error("gone"), { code: "ENOENT" })).reason // "not-found"
 * ```
 */
export const errorFromCause = (path: string, cause: unknown): FileError =>
  errorFromCode(
    path,
    typeof cause === "object" && cause !== null && typeof (cause as { code?: unknown }).code === "string"
      ? (cause as { code: string }).code
      : undefined
  )

/**
 * The error for a path that is not a regular file (a directory, device or FIFO).
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import { FileReader } from "@managed-identity/core"
 *
 * FileReader.notAFile("/var/run").message // "/var/run: not a regular file"
 * ```
 */
export const notAFile = (path: string): FileError =>
  new FileError({ path, reason: "not-a-file", message: `${path}: not a regular file` })

/**
 * The error for a file over the byte limit.
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import { FileReader } from "@managed-identity/core"
 *
 * FileReader.tooLarge("/x.key", 4096).reason // "too-large"
 * ```
 */
export const tooLarge = (path: string, maxBytes: number): FileError =>
  new FileError({ path, reason: "too-large", message: `${path}: larger than ${maxBytes} bytes` })

/**
 * What a file is, from `stat` after following links.
 *
 * @since 0.1.0
 * @category models
 */
export interface FileInfo {
  readonly size: number
  readonly isFile: boolean
}

/**
 * The file-reading service.
 *
 * @since 0.1.0
 * @category tags
 * @example
 * ```ts
 * import * as Effect from "effect/Effect"
 * import { FileReader } from "@managed-identity/core"
 *
 * const read = Effect.flatMap(FileReader.FileReader, (fs) => fs.readText("/var/run/token", { maxBytes: 65536 }))
 * ```
 */
export class FileReader extends Context.Tag("@managed-identity/core/FileReader")<
  FileReader,
  {
    /** The canonical absolute path, with every symbolic link resolved. */
    readonly realPath: (path: string) => Effect.Effect<string, FileError>
    /** Size and kind of the file (links followed). */
    readonly stat: (path: string) => Effect.Effect<FileInfo, FileError>
    /** The file as UTF-8 text; fails with `too-large` when it is over `maxBytes`. */
    readonly readText: (path: string, options: { readonly maxBytes: number }) => Effect.Effect<string, FileError>
    /** Whether a path exists (false on any error). */
    readonly exists: (path: string) => Effect.Effect<boolean>
    /** Why this runtime cannot read files at all (edge runtimes); sources that read one are refused up front. */
    readonly unavailable?: string | undefined
  }
>() {}

/**
 * A file opened for reading by `Primitives.open`.
 *
 * @since 0.1.0
 * @category models
 */
export interface OpenFile {
  /** Size and kind of the opened file itself, which is not what the path names if it was swapped since. */
  readonly stat: Effect.Effect<FileInfo, FileError>
  /** Reads into `buffer` from the current position; the number of bytes read, 0 at the end of the file. */
  readonly read: (buffer: Uint8Array) => Effect.Effect<number, FileError>
}

/**
 * What an adapter gives `make`: its runtime's file operations, each failing with a `FileError`
 * mapped from the runtime's error (`errorFromCode`, `errorFromCause`). No size or type checks: those
 * are `make`'s.
 *
 * @since 0.1.0
 * @category models
 */
export interface Primitives {
  /** The canonical absolute path, with every symbolic link resolved. */
  readonly realPath: (path: string) => Effect.Effect<string, FileError>
  /** Size and kind of the file the path names (links followed). */
  readonly stat: (path: string) => Effect.Effect<FileInfo, FileError>
  /**
   * Opens the file for reading without ever blocking (a FIFO must not wait for a writer); the file
   * is closed when the scope closes.
   */
  readonly open: (path: string) => Effect.Effect<OpenFile, FileError, Scope.Scope>
}

/** Bytes asked for per read: the limits are a few KiB, so a small file takes one read. */
const chunkBytes = 16 * 1024

/** A byte limit as a whole number; anything that is not a number at least 0 allows nothing. */
const byteLimit = (maxBytes: number): number => (maxBytes >= 0 ? Math.floor(maxBytes) : 0)

/**
 * Reads until the end of the file or until `limit` bytes, whichever comes first. The caller asks for
 * one byte more than it allows, so getting `limit` bytes back means the file is too large, whatever
 * `stat` said: files grow, and `/proc`-like files report size 0.
 */
const readAtMost = (file: OpenFile, limit: number): Effect.Effect<Uint8Array, FileError> =>
  Effect.gen(function* () {
    const chunks: Array<Uint8Array> = []
    let total = 0
    while (total < limit) {
      const buffer = new Uint8Array(Math.min(chunkBytes, limit - total))
      const read = Math.min(yield* file.read(buffer), buffer.length)
      if (!(read > 0)) break
      chunks.push(buffer.subarray(0, read))
      total += read
    }
    if (chunks.length === 1) return chunks[0]!
    const bytes = new Uint8Array(total)
    let offset = 0
    for (const chunk of chunks) {
      bytes.set(chunk, offset)
      offset += chunk.byteLength
    }
    return bytes
  })

const decoder = new TextDecoder()

/**
 * A reader from an adapter's primitives. `readText` holds the whole policy of the capped read:
 * `stat` first, so a directory, device or FIFO is refused without opening it and a file over the
 * limit without reading it; then `open` and `stat` the opened file, in case the path was swapped in
 * between; then read at most one byte more than the limit and refuse the file if that byte came.
 * `exists` is whether `stat` succeeds.
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import * as Effect from "effect/Effect"
 * import { FileReader } from "@managed-identity/core"
 *
 * const contents = new TextEncoder().encode("eyJ.payload.sig")
 * const reader = FileReader.make({
 *   realPath: (path) => Effect.succeed(path),
 *   stat: () => Effect.succeed({ size: contents.byteLength, isFile: true }),
 *   open: () => {
 *     let position = 0
 *     return Effect.succeed({
 *       stat: Effect.succeed({ size: contents.byteLength, isFile: true }),
 *       read: (buffer: Uint8Array) =>
 *         Effect.sync(() => {
 *           const chunk = contents.subarray(position, position + buffer.length)
 *           buffer.set(chunk)
 *           position += chunk.byteLength
 *           return chunk.byteLength
 *         })
 *     })
 *   }
 * })
 *
 * Effect.runPromise(reader.readText("/var/run/secrets/token", { maxBytes: 4096 })) // "eyJ.payload.sig"
 * ```
 */
export const make = (primitives: Primitives): Context.Tag.Service<FileReader> => {
  const readText = (path: string, maxBytes: number): Effect.Effect<string, FileError> =>
    Effect.gen(function* () {
      const limit = byteLimit(maxBytes)
      const before = yield* primitives.stat(path)
      if (!before.isFile) return yield* Effect.fail(notAFile(path))
      if (before.size > limit) return yield* Effect.fail(tooLarge(path, limit))
      const bytes = yield* Effect.scoped(
        Effect.flatMap(primitives.open(path), (file) =>
          Effect.gen(function* () {
            const opened = yield* file.stat
            if (!opened.isFile) return yield* Effect.fail(notAFile(path))
            if (opened.size > limit) return yield* Effect.fail(tooLarge(path, limit))
            return yield* readAtMost(file, limit + 1)
          })
        )
      )
      if (bytes.byteLength > limit) return yield* Effect.fail(tooLarge(path, limit))
      return decoder.decode(bytes)
    })
  return {
    realPath: primitives.realPath,
    stat: primitives.stat,
    readText: (path, { maxBytes }) => readText(path, maxBytes),
    exists: (path) => Effect.match(primitives.stat(path), { onFailure: () => false, onSuccess: () => true })
  }
}

/**
 * A reader for runtimes with no file system: every call fails with `unsupported` and the reason.
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import { FileReader } from "@managed-identity/core"
 *
 * const none = FileReader.unsupported("edge runtimes have no file system")
 * ```
 */
export const unsupported = (why: string): Context.Tag.Service<FileReader> => {
  const fail = (path: string) => Effect.fail(new FileError({ path, reason: "unsupported", message: `${path}: ${why}` }))
  return { ...make({ realPath: fail, stat: fail, open: fail }), unavailable: why }
}

/**
 * An in-memory file system: `files` maps absolute paths to contents, `links` maps a path to the
 * path it points at. For tests and for hosts that inject files. Built on `make`, so it keeps the
 * same limits as the adapters' readers.
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import { FileReader } from "@managed-identity/core"
 *
 * const fs = FileReader.memory({ files: { "/var/run/secrets/token": "eyJ..." } })
 * ```
 */
export const memory = (options: {
  readonly files: Readonly<Record<string, string>>
  readonly links?: Readonly<Record<string, string>> | undefined
}): Context.Tag.Service<FileReader> => {
  const links = options.links ?? {}
  const encoder = new TextEncoder()
  const resolve = (path: string): Effect.Effect<string, FileError> => {
    let current = path
    for (let hops = 0; hops < 32; hops++) {
      const next = links[current]
      if (next === undefined) break
      current = next
    }
    return Object.hasOwn(options.files, current) ? Effect.succeed(current) : Effect.fail(errorFromCode(path, "ENOENT"))
  }
  const contents = (path: string): Effect.Effect<Uint8Array, FileError> =>
    Effect.map(resolve(path), (real) => encoder.encode(options.files[real]!))
  return make({
    realPath: resolve,
    stat: (path) => Effect.map(contents(path), (bytes) => ({ size: bytes.byteLength, isFile: true })),
    open: (path) =>
      Effect.map(contents(path), (bytes): OpenFile => {
        let position = 0
        return {
          stat: Effect.succeed({ size: bytes.byteLength, isFile: true }),
          read: (buffer) =>
            Effect.sync(() => {
              const chunk = bytes.subarray(position, position + buffer.length)
              buffer.set(chunk)
              position += chunk.byteLength
              return chunk.byteLength
            })
        }
      })
  })
}

/**
 * A layer from a reader.
 *
 * @since 0.1.0
 * @category layers
 * @example
 * ```ts
 * import { FileReader } from "@managed-identity/core"
 *
 * const FilesTest = FileReader.layer(FileReader.memory({ files: {} }))
 * ```
 */
export const layer = (reader: Context.Tag.Service<FileReader>): Layer.Layer<FileReader> =>
  Layer.succeed(FileReader, reader)
