/**
 * Core's `FileReader` on Deno (`Deno.realPath`, `Deno.stat`, `Deno.open`): reads the
 * workload-identity token file and Azure Arc's key file. This module gives core's `FileReader.make`
 * Deno's primitives and maps Deno's errors; the byte limit and the checks are core's. Errors name the
 * path, never the contents, and a missing `--allow-read` is an error that names the flag.
 *
 * @since 0.1.0
 */
import * as FileReader from "@managed-identity/core/FileReader"
import type * as Context from "effect/Context"
import * as Layer from "effect/Layer"
import * as internal from "./internal/fileReader.js"

/**
 * Builds the reader: `realPath` resolves every symbolic link, `stat` follows links, `readText`
 * refuses a file over `maxBytes` (core's `FileReader.make`: checked with `stat` first, then by
 * reading at most one byte more), and failures map to `not-found`, `permission-denied` (the operating system's, or Deno's
 * missing `--allow-read`) and `not-a-file`.
 *
 * @since 0.1.0
 * @category constructors
 * @example
 * ```ts
 * import * as Effect from "effect/Effect"
 * import { DenoFileReader } from "@managed-identity/deno/effect"
 *
 * const token = DenoFileReader.make().readText("/var/run/secrets/azure/tokens/azure-identity-token", {
 *   maxBytes: 65536
 * })
 * Effect.runPromise(token)
 * ```
 */
export const make = (): Context.Tag.Service<FileReader.FileReader> => internal.make()

/**
 * A layer providing core's `FileReader` from Deno's file system.
 *
 * @since 0.1.0
 * @category layers
 * @example
 * ```ts
 * import * as Effect from "effect/Effect"
 * import * as FileReader from "@managed-identity/core/FileReader"
 * import { DenoFileReader } from "@managed-identity/deno/effect"
 *
 * const exists = Effect.flatMap(FileReader.FileReader, (files) => files.exists("/etc/hostname"))
 * Effect.runPromise(Effect.provide(exists, DenoFileReader.layer))
 * ```
 */
export const layer: Layer.Layer<FileReader.FileReader> = Layer.sync(FileReader.FileReader, internal.make)
