import { FileReader } from "@managed-identity/core"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { spawnSync } from "node:child_process"
import { existsSync } from "node:fs"
import * as fs from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import * as NodeFileReader from "../src/NodeFileReader.js"

const secret = "arc-key-contents-never-in-messages"
const reader = NodeFileReader.make()
const isRoot = process.getuid?.() === 0
const writeOnlyProcFile =
  process.platform === "linux" && existsSync("/proc/sys/vm/drop_caches") ? "/proc/sys/vm/drop_caches" : undefined
const canMakeFifo = process.platform !== "win32" && spawnSync("mkfifo", [], { stdio: "ignore" }).error === undefined

/** A fresh directory (links resolved) for the scope's lifetime. */
const tempDir = Effect.acquireRelease(
  Effect.promise(async () => fs.realpath(await fs.mkdtemp(join(tmpdir(), "mi-node-files-")))),
  (dir) => Effect.promise(() => fs.rm(dir, { recursive: true, force: true }))
)

const write = (path: string, contents: string | Buffer) => Effect.promise(() => fs.writeFile(path, contents))

describe("NodeFileReader", () => {
  describe("readText", () => {
    it.scoped("reads a file as UTF-8", () =>
      Effect.gen(function* () {
        const dir = yield* tempDir
        yield* write(join(dir, "token"), "eyJ.payload.sig ✓")
        expect(yield* reader.readText(join(dir, "token"), { maxBytes: 4096 })).toBe("eyJ.payload.sig ✓")
      })
    )

    it.scoped("allows exactly maxBytes and refuses one byte more, naming the path and not the contents", () =>
      Effect.gen(function* () {
        const dir = yield* tempDir
        const path = join(dir, "key.key")
        yield* write(path, secret)
        const size = Buffer.byteLength(secret)
        expect(yield* reader.readText(path, { maxBytes: size })).toBe(secret)
        const error = yield* Effect.flip(reader.readText(path, { maxBytes: size - 1 }))
        expect(error).toMatchObject({ _tag: "FileError", reason: "too-large", path })
        expect(error.message).toContain(path)
        expect(error.message).not.toContain(secret)
      })
    )

    it.scoped("reads a file over several reads, in order, up to exactly maxBytes", () =>
      Effect.gen(function* () {
        const dir = yield* tempDir
        // 40 000 bytes of numbered lines: more than two of core's 16 KiB reads.
        const lines = Array.from({ length: 5000 }, (_, i) => String(i).padStart(7, "0")).join("\n") + "\n"
        yield* write(join(dir, "lines"), lines)
        expect(yield* reader.readText(join(dir, "lines"), { maxBytes: 40_000 })).toBe(lines)
        expect((yield* Effect.flip(reader.readText(join(dir, "lines"), { maxBytes: 39_999 }))).reason).toBe("too-large")
      })
    )

    it.scoped("counts bytes, not characters", () =>
      Effect.gen(function* () {
        const dir = yield* tempDir
        yield* write(join(dir, "utf8"), "ééé") // 3 characters, 6 bytes
        const error = yield* Effect.flip(reader.readText(join(dir, "utf8"), { maxBytes: 5 }))
        expect(error.reason).toBe("too-large")
      })
    )

    it.scoped("refuses a 5 GiB file from its size, without reading it", () =>
      Effect.gen(function* () {
        const dir = yield* tempDir
        const path = join(dir, "huge")
        // Sparse: no disk used. A reader that loaded the file would fail with ERR_FS_FILE_TOO_LARGE
        // (reason "other") or run out of memory instead of answering "too-large".
        yield* Effect.promise(() => fs.writeFile(path, "").then(() => fs.truncate(path, 5 * 1024 ** 3)))
        const error = yield* Effect.flip(reader.readText(path, { maxBytes: 4096 }))
        expect(error.reason).toBe("too-large")
      })
    )

    it.effect.skipIf(process.platform !== "linux")(
      "stops reading at maxBytes + 1 when the size reported by stat is wrong",
      () =>
        Effect.gen(function* () {
          // procfs reports size 0 for files that have content.
          expect((yield* reader.stat("/proc/self/status")).size).toBe(0)
          const error = yield* Effect.flip(reader.readText("/proc/self/status", { maxBytes: 16 }))
          expect(error.reason).toBe("too-large")
          expect(yield* reader.readText("/proc/self/status", { maxBytes: 1 << 20 })).toContain("Name:")
        })
    )

    it.scoped("is not-found for a missing file or a missing directory", () =>
      Effect.gen(function* () {
        const dir = yield* tempDir
        yield* write(join(dir, "file"), "x")
        for (const path of [join(dir, "missing"), join(dir, "file", "child")]) {
          const error = yield* Effect.flip(reader.readText(path, { maxBytes: 10 }))
          expect(error).toMatchObject({ reason: "not-found", path, message: `${path}: no such file` })
        }
      })
    )

    it.scoped("is not-a-file for a directory", () =>
      Effect.gen(function* () {
        const dir = yield* tempDir
        const error = yield* Effect.flip(reader.readText(dir, { maxBytes: 10 }))
        expect(error).toMatchObject({ reason: "not-a-file", path: dir })
      })
    )

    it.scoped.skipIf(!canMakeFifo)("is not-a-file for a FIFO, without blocking on it", () =>
      Effect.gen(function* () {
        const dir = yield* tempDir
        const path = join(dir, "fifo")
        expect(spawnSync("mkfifo", [path]).status).toBe(0)
        const error = yield* Effect.flip(reader.readText(path, { maxBytes: 10 }))
        expect(error.reason).toBe("not-a-file")
      })
    )

    it.scoped.skipIf(isRoot || process.platform === "win32")("is permission-denied for an unreadable file", () =>
      Effect.gen(function* () {
        const dir = yield* tempDir
        const path = join(dir, "locked")
        yield* write(path, secret)
        yield* Effect.promise(() => fs.chmod(path, 0o000))
        const error = yield* Effect.flip(reader.readText(path, { maxBytes: 4096 }))
        expect(error).toMatchObject({ reason: "permission-denied", path })
        expect(error.message).not.toContain(secret)
      })
    )

    it.effect.skipIf(!writeOnlyProcFile)("is permission-denied for a file that cannot be opened for reading", () =>
      Effect.gen(function* () {
        // Mode 0200 in procfs: even root gets EACCES, so this runs on Linux CI whoever the user is.
        const error = yield* Effect.flip(reader.readText(writeOnlyProcFile!, { maxBytes: 4096 }))
        expect(error).toMatchObject({ reason: "permission-denied", path: writeOnlyProcFile })
      })
    )
  })

  describe("symbolic links", () => {
    it.scoped("realPath resolves a chain of links; stat and readText follow them", () =>
      Effect.gen(function* () {
        const dir = yield* tempDir
        yield* Effect.promise(() => fs.mkdir(join(dir, "..data")))
        const target = join(dir, "..data", "token")
        yield* write(target, "rotated-jwt")
        // The layout Kubernetes uses for projected tokens: token -> ..data/token, ..data -> dated dir.
        yield* Effect.promise(() => fs.symlink(join(dir, "..data", "token"), join(dir, "hop")))
        yield* Effect.promise(() => fs.symlink(join(dir, "hop"), join(dir, "token")))
        expect(yield* reader.realPath(join(dir, "token"))).toBe(target)
        expect(yield* reader.stat(join(dir, "token"))).toEqual({ size: 11, isFile: true })
        expect(yield* reader.readText(join(dir, "token"), { maxBytes: 64 })).toBe("rotated-jwt")
      })
    )

    it.scoped("realPath escapes a directory through a link, so callers can check where a file really is", () =>
      Effect.gen(function* () {
        const dir = yield* tempDir
        yield* Effect.promise(() => fs.mkdir(join(dir, "tokens")))
        yield* write(join(dir, "outside.key"), secret)
        yield* Effect.promise(() => fs.symlink(join(dir, "outside.key"), join(dir, "tokens", "inside.key")))
        expect(yield* reader.realPath(join(dir, "tokens", "inside.key"))).toBe(join(dir, "outside.key"))
      })
    )

    it.scoped("a dangling link does not exist and its realPath is not-found", () =>
      Effect.gen(function* () {
        const dir = yield* tempDir
        const link = join(dir, "dangling")
        yield* Effect.promise(() => fs.symlink(join(dir, "nowhere"), link))
        expect(yield* reader.exists(link)).toBe(false)
        expect((yield* Effect.flip(reader.realPath(link))).reason).toBe("not-found")
      })
    )
  })

  describe("stat and exists", () => {
    it.scoped("stat gives size and kind", () =>
      Effect.gen(function* () {
        const dir = yield* tempDir
        yield* write(join(dir, "f"), "12345")
        expect(yield* reader.stat(join(dir, "f"))).toEqual({ size: 5, isFile: true })
        expect((yield* reader.stat(dir)).isFile).toBe(false)
        expect((yield* Effect.flip(reader.stat(join(dir, "nope")))).reason).toBe("not-found")
      })
    )

    it.scoped("exists is true for files and directories and false for missing paths", () =>
      Effect.gen(function* () {
        const dir = yield* tempDir
        yield* write(join(dir, "f"), "")
        expect(yield* reader.exists(join(dir, "f"))).toBe(true)
        expect(yield* reader.exists(dir)).toBe(true)
        expect(yield* reader.exists(join(dir, "nope"))).toBe(false)
      })
    )
  })

  it.scoped("provides core's FileReader as a layer", () =>
    Effect.gen(function* () {
      const dir = yield* tempDir
      yield* write(join(dir, "f"), "via layer")
      const context = yield* Layer.build(NodeFileReader.layer)
      const files = yield* Effect.provide(FileReader.FileReader, context)
      expect(yield* files.readText(join(dir, "f"), { maxBytes: 100 })).toBe("via layer")
    })
  )
})
