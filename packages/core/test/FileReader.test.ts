/**
 * The file reader every adapter builds on: the error mapping they share (Node's and Bun's `code`s,
 * Deno's error names, messages built from the path alone) and the capped read `make` derives from
 * an adapter's primitives, specified here against scripted primitives; each adapter's tests run the
 * same policy over its real file system.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import { FileReader } from "../src/index.js"

const path = "/var/opt/azcmagent/tokens/x.key"
const secret = "arc-key-contents-never-in-messages"

describe("FileReader error mapping", () => {
  it.each([
    ["ENOENT", "not-found", `${path}: no such file`],
    ["ENOTDIR", "not-found", `${path}: no such file`],
    ["NotFound", "not-found", `${path}: no such file`],
    ["NotADirectory", "not-found", `${path}: no such file`],
    ["EACCES", "permission-denied", `${path}: permission denied`],
    ["EPERM", "permission-denied", `${path}: permission denied`],
    ["PermissionDenied", "permission-denied", `${path}: permission denied`],
    ["EISDIR", "not-a-file", `${path}: is a directory`],
    ["IsADirectory", "not-a-file", `${path}: is a directory`],
    ["ELOOP", "other", `${path}: cannot be read (ELOOP)`],
    ["toString", "other", `${path}: cannot be read (toString)`],
    [undefined, "other", `${path}: cannot be read (unknown error)`]
  ] as const)("errorFromCode(%s) → %s", (code, reason, message) => {
    const error = FileReader.errorFromCode(path, code)
    expect(error).toBeInstanceOf(FileReader.FileError)
    expect(error).toMatchObject({ _tag: "FileError", path, reason, message })
  })

  it.each([
    ["a Node-style code", Object.assign(new Error(`ENOENT: ${secret}`), { code: "ENOENT" }), "not-found"],
    ["a code that is not a string", Object.assign(new Error(secret), { code: 13 }), "other"],
    ["no code", new Error(secret), "other"],
    ["not an object", secret, "other"],
    ["null", null, "other"]
  ] as const)("errorFromCause with %s, never quoting the runtime's message", (_, cause, reason) => {
    const error = FileReader.errorFromCause(path, cause)
    expect(error.reason).toBe(reason)
    expect(error.message.startsWith(`${path}: `)).toBe(true)
    expect(error.message).not.toContain(secret)
  })

  it("notAFile and tooLarge name the path and the limit", () => {
    expect(FileReader.notAFile(path)).toMatchObject({ reason: "not-a-file", message: `${path}: not a regular file` })
    expect(FileReader.tooLarge(path, 4096)).toMatchObject({
      reason: "too-large",
      message: `${path}: larger than 4096 bytes`
    })
  })
})

/** What a scripted file system answers for its one path, and what the policy did with it. */
interface Script {
  /** What `stat(path)` answers: the file's info, or a failure. */
  readonly stat: FileReader.FileInfo | FileReader.FileError
  /** What the opened file's `stat` answers (default: `stat`), e.g. a directory swapped in after `stat`. */
  readonly opened?: FileReader.FileInfo
  /** A failure of `open` itself. */
  readonly openFails?: FileReader.FileError
  /** What reading yields, whatever the infos say. */
  readonly contents?: string
  /** The most one `read` returns (default: the whole buffer), as a pipe or a slow disk would. */
  readonly readSize?: number
  /** A failure after this many bytes have been read. */
  readonly failAfter?: { readonly bytes: number; readonly error: FileReader.FileError }
}

const scripted = (script: Script) => {
  const log = { opens: 0, closes: 0, reads: 0, bytesRead: 0 }
  const contents = new TextEncoder().encode(script.contents ?? "")
  const stat = (path: string) =>
    script.stat instanceof FileReader.FileError
      ? Effect.fail(script.stat)
      : path === "/file"
        ? Effect.succeed(script.stat)
        : Effect.fail(FileReader.errorFromCode(path, "ENOENT"))
  const primitives: FileReader.Primitives = {
    realPath: (path) => Effect.map(stat(path), () => "/real/file"),
    stat,
    open: (path) =>
      Effect.flatMap(stat(path), () =>
        script.openFails !== undefined
          ? Effect.fail(script.openFails)
          : Effect.acquireRelease(
              Effect.sync((): FileReader.OpenFile => {
                log.opens++
                let position = 0
                return {
                  stat: Effect.succeed(script.opened ?? (script.stat as FileReader.FileInfo)),
                  read: (buffer) =>
                    Effect.suspend(() => {
                      log.reads++
                      if (script.failAfter !== undefined && position >= script.failAfter.bytes) {
                        return Effect.fail(script.failAfter.error)
                      }
                      const size = Math.min(buffer.length, script.readSize ?? buffer.length)
                      const chunk = contents.subarray(position, position + size)
                      buffer.set(chunk)
                      position += chunk.byteLength
                      log.bytesRead += chunk.byteLength
                      return Effect.succeed(chunk.byteLength)
                    })
                }
              }),
              () => Effect.sync(() => log.closes++)
            )
      )
  }
  return { reader: FileReader.make(primitives), log }
}

const file = (size: number): FileReader.FileInfo => ({ size, isFile: true })
const directory: FileReader.FileInfo = { size: 4096, isFile: false }

describe("FileReader.make: the capped read", () => {
  it.effect("reads a file as UTF-8 and closes it", () =>
    Effect.gen(function* () {
      const { reader, log } = scripted({ stat: file(19), contents: "eyJ.payload.sig ✓" })
      expect(yield* reader.readText("/file", { maxBytes: 4096 })).toBe("eyJ.payload.sig ✓")
      expect(log).toMatchObject({ opens: 1, closes: 1 })
    })
  )

  it.effect("allows exactly maxBytes", () =>
    Effect.gen(function* () {
      const { reader, log } = scripted({ stat: file(secret.length), contents: secret })
      expect(yield* reader.readText("/file", { maxBytes: secret.length })).toBe(secret)
      // It asked for one byte more than allowed, and the file had none.
      expect(log.bytesRead).toBe(secret.length)
    })
  )

  it.effect("refuses one byte more from stat alone, never opening the file or quoting it", () =>
    Effect.gen(function* () {
      const { reader, log } = scripted({ stat: file(secret.length), contents: secret })
      const error = yield* Effect.flip(reader.readText("/file", { maxBytes: secret.length - 1 }))
      expect(error).toMatchObject({
        reason: "too-large",
        path: "/file",
        message: `/file: larger than ${secret.length - 1} bytes`
      })
      expect(error.message).not.toContain(secret)
      expect(log.opens).toBe(0)
    })
  )

  it.effect("refuses a 5 GiB file from its size, without opening it", () =>
    Effect.gen(function* () {
      const { reader, log } = scripted({ stat: file(5 * 1024 ** 3) })
      expect((yield* Effect.flip(reader.readText("/file", { maxBytes: 4096 }))).reason).toBe("too-large")
      expect(log.opens).toBe(0)
    })
  )

  it.effect("counts bytes, not characters", () =>
    Effect.gen(function* () {
      const { reader } = scripted({ stat: file(0), contents: "ééé" }) // 3 characters, 6 bytes
      expect((yield* Effect.flip(reader.readText("/file", { maxBytes: 5 }))).reason).toBe("too-large")
      expect(yield* reader.readText("/file", { maxBytes: 6 })).toBe("ééé")
    })
  )

  it.effect("refuses a file that grew between stat and read, having read one byte past the limit", () =>
    Effect.gen(function* () {
      const { reader, log } = scripted({ stat: file(10), opened: file(10), contents: "x".repeat(50_000) })
      const error = yield* Effect.flip(reader.readText("/file", { maxBytes: 100 }))
      expect(error.reason).toBe("too-large")
      expect(log.bytesRead).toBe(101)
      expect(log.closes).toBe(1)
    })
  )

  it.effect("refuses a file that grew between stat and open from the opened file's size, without reading it", () =>
    Effect.gen(function* () {
      const { reader, log } = scripted({ stat: file(10), opened: file(50_000), contents: "x".repeat(50_000) })
      expect((yield* Effect.flip(reader.readText("/file", { maxBytes: 100 }))).reason).toBe("too-large")
      expect(log).toMatchObject({ opens: 1, reads: 0, closes: 1 })
    })
  )

  it.effect("refuses a file swapped for a directory between stat and open, without reading it", () =>
    Effect.gen(function* () {
      const { reader, log } = scripted({ stat: file(5), opened: directory, contents: "never" })
      const error = yield* Effect.flip(reader.readText("/file", { maxBytes: 100 }))
      expect(error).toMatchObject({ reason: "not-a-file", message: "/file: not a regular file" })
      expect(log).toMatchObject({ opens: 1, reads: 0, closes: 1 })
    })
  )

  it.effect("refuses a directory, device or FIFO from stat, without opening it", () =>
    Effect.gen(function* () {
      const { reader, log } = scripted({ stat: directory })
      expect((yield* Effect.flip(reader.readText("/file", { maxBytes: 10_000 }))).reason).toBe("not-a-file")
      expect(log.opens).toBe(0)
    })
  )

  it.effect("reads a file whose stat says size 0 (as /proc files do) up to the limit, and no further", () =>
    Effect.gen(function* () {
      const status = "Name:\tnode\n".repeat(128)
      const proc = scripted({ stat: file(0), contents: status })
      expect((yield* Effect.flip(proc.reader.readText("/file", { maxBytes: 16 }))).reason).toBe("too-large")
      expect(proc.log.bytesRead).toBe(17)
      expect(yield* scripted({ stat: file(0), contents: status }).reader.readText("/file", { maxBytes: 1 << 20 })).toBe(
        status
      )
    })
  )

  it.effect("keeps reading through short reads, and decodes characters split between them", () =>
    Effect.gen(function* () {
      const text = "é✓".repeat(20_000) // 100 000 bytes: more than one 16 KiB chunk
      const { reader, log } = scripted({ stat: file(100_000), contents: text, readSize: 7 })
      expect(yield* reader.readText("/file", { maxBytes: 100_000 })).toBe(text)
      expect(log.reads).toBeGreaterThan(100_000 / 7)
    })
  )

  it.effect("is not-found, unopened, for a missing file", () =>
    Effect.gen(function* () {
      const { reader, log } = scripted({ stat: file(1), contents: "x" })
      const error = yield* Effect.flip(reader.readText("/missing", { maxBytes: 10 }))
      expect(error).toMatchObject({ reason: "not-found", path: "/missing", message: "/missing: no such file" })
      expect(log.opens).toBe(0)
    })
  )

  it.effect("is permission-denied for a file stat sees but open may not read (mode 0200)", () =>
    Effect.gen(function* () {
      const denied = FileReader.errorFromCode("/file", "EACCES")
      const { reader } = scripted({ stat: file(0), openFails: denied })
      expect(yield* Effect.flip(reader.readText("/file", { maxBytes: 4096 }))).toBe(denied)
    })
  )

  it.effect("passes a read failure on and still closes the file", () =>
    Effect.gen(function* () {
      const failure = FileReader.errorFromCode("/file", "EIO")
      const { reader, log } = scripted({
        stat: file(3),
        contents: "abc",
        readSize: 1,
        failAfter: { bytes: 2, error: failure }
      })
      expect(yield* Effect.flip(reader.readText("/file", { maxBytes: 10 }))).toBe(failure)
      expect(log).toMatchObject({ opens: 1, closes: 1, bytesRead: 2 })
    })
  )

  it.effect("closes the file when the read is interrupted", () =>
    Effect.gen(function* () {
      const reading = yield* Deferred.make<void>()
      const closed = yield* Deferred.make<void>()
      const reader = FileReader.make({
        realPath: Effect.succeed,
        stat: () => Effect.succeed(file(1)),
        open: () =>
          Effect.acquireRelease(
            Effect.succeed<FileReader.OpenFile>({
              stat: Effect.succeed(file(1)),
              read: () => Effect.zipRight(Deferred.succeed(reading, undefined), Effect.never)
            }),
            () => Deferred.succeed(closed, undefined)
          )
      })
      const fiber = yield* Effect.fork(reader.readText("/file", { maxBytes: 10 }))
      yield* Deferred.await(reading)
      yield* Fiber.interrupt(fiber)
      expect(yield* Deferred.isDone(closed)).toBe(true)
    })
  )

  it.effect.each([
    [5.9, "12345", "123456"],
    [-1, "", "1"],
    [Number.NaN, "", "1"]
  ] as const)("maxBytes %d allows %j and refuses %j", ([maxBytes, allowed, refused]) =>
    Effect.gen(function* () {
      const at = scripted({ stat: file(0), contents: allowed })
      expect(yield* at.reader.readText("/file", { maxBytes })).toBe(allowed)
      const over = scripted({ stat: file(0), contents: refused })
      expect((yield* Effect.flip(over.reader.readText("/file", { maxBytes }))).reason).toBe("too-large")
    })
  )

  it.effect("stat and realPath are the primitives'; exists is whether stat succeeds", () =>
    Effect.gen(function* () {
      const { reader } = scripted({ stat: file(5) })
      expect(yield* reader.stat("/file")).toEqual(file(5))
      expect(yield* reader.realPath("/file")).toBe("/real/file")
      expect(yield* reader.exists("/file")).toBe(true)
      expect(yield* reader.exists("/missing")).toBe(false)
      expect(yield* scripted({ stat: directory }).reader.exists("/file")).toBe(true)
      const denied = scripted({ stat: FileReader.errorFromCode("/file", "EACCES") }).reader
      expect(yield* denied.exists("/file")).toBe(false)
      expect((yield* Effect.flip(denied.stat("/file"))).reason).toBe("permission-denied")
    })
  )
})

describe("FileReader.memory", () => {
  const files = FileReader.memory({
    files: { "/data/token": "rotated-jwt", "/keys/x.key": secret },
    links: { "/token": "/hop", "/hop": "/data/token" }
  })

  it.effect("follows links for realPath, stat and readText", () =>
    Effect.gen(function* () {
      expect(yield* files.realPath("/token")).toBe("/data/token")
      expect(yield* files.stat("/token")).toEqual(file(11))
      expect(yield* files.readText("/token", { maxBytes: 11 })).toBe("rotated-jwt")
      expect(yield* files.exists("/token")).toBe(true)
    })
  )

  it.effect("keeps the limit, without quoting the file", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(files.readText("/keys/x.key", { maxBytes: secret.length - 1 }))
      expect(error.reason).toBe("too-large")
      expect(error.message).not.toContain(secret)
    })
  )

  it.effect("is not-found for a missing path, a dangling link and a name every object has", () =>
    Effect.gen(function* () {
      const dangling = FileReader.memory({ files: {}, links: { "/link": "/nowhere" } })
      expect(yield* Effect.flip(files.readText("/missing", { maxBytes: 10 }))).toMatchObject({
        reason: "not-found",
        message: "/missing: no such file"
      })
      expect((yield* Effect.flip(dangling.realPath("/link"))).reason).toBe("not-found")
      expect(yield* dangling.exists("/link")).toBe(false)
      expect((yield* Effect.flip(files.stat("toString"))).reason).toBe("not-found")
    })
  )
})

describe("FileReader.unsupported", () => {
  it.effect("fails every read with the reason and says nothing exists", () =>
    Effect.gen(function* () {
      const none = FileReader.unsupported("edge runtimes have no file system")
      const attempts: Array<Effect.Effect<unknown, FileReader.FileError>> = [
        none.readText("/t", { maxBytes: 1 }),
        none.stat("/t"),
        none.realPath("/t")
      ]
      for (const attempt of attempts) {
        expect(yield* Effect.flip(attempt)).toMatchObject({
          reason: "unsupported",
          message: "/t: edge runtimes have no file system"
        })
      }
      expect(yield* none.exists("/t")).toBe(false)
    })
  )
})
