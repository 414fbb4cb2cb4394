/**
 * Reading small files: the workload-identity token file and Azure Arc's key file. Core never
 * imports a file system: adapters provide this service (`node:fs`, `Deno.readTextFile`,
 * `Bun.file`); the edge adapter provides `unsupported`, so sources that need a file say why.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"

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
  return { realPath: fail, stat: fail, readText: fail, exists: () => Effect.succeed(false), unavailable: why }
}

/**
 * An in-memory file system: `files` maps absolute paths to contents, `links` maps a path to the
 * path it points at. For tests and for hosts that inject files.
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
  const resolve = (path: string): Effect.Effect<string, FileError> => {
    let current = path
    for (let hops = 0; hops < 32; hops++) {
      const next = links[current]
      if (next === undefined) break
      current = next
    }
    return current in options.files
      ? Effect.succeed(current)
      : Effect.fail(new FileError({ path, reason: "not-found", message: `${path}: no such file` }))
  }
  const encoder = new TextEncoder()
  return {
    realPath: resolve,
    stat: (path) =>
      Effect.map(resolve(path), (real) => ({ size: encoder.encode(options.files[real]!).byteLength, isFile: true })),
    readText: (path, { maxBytes }) =>
      Effect.flatMap(resolve(path), (real) => {
        const text = options.files[real]!
        return encoder.encode(text).byteLength > maxBytes ? Effect.fail(tooLarge(path, maxBytes)) : Effect.succeed(text)
      }),
    exists: (path) => Effect.match(resolve(path), { onFailure: () => false, onSuccess: () => true })
  }
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
