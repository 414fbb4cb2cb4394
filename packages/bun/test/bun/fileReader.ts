/**
 * BunFileReader in the real Bun binary, over files test/BunFileReader.test.ts prepared in a
 * temporary directory (MI_FILES_DIRECTORY).
 */
import { test } from "bun:test"
import * as Effect from "effect/Effect"
import { BunFileReader } from "../../src/effect.js"

const directory = process.env.MI_FILES_DIRECTORY ?? "/nonexistent"
const files = BunFileReader.make()

const equal = (actual: unknown, expected: unknown) => {
  if (JSON.stringify(actual) !== JSON.stringify(expected)) {
    throw new Error(`expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`)
  }
}
const failure = (effect: Effect.Effect<unknown, { reason: string; message: string }>) =>
  Effect.runPromise(Effect.flip(effect))

test("reads a file within the limit, exactly at it too", async () => {
  equal(await Effect.runPromise(files.readText(`${directory}/token`, { maxBytes: 4096 })), "header.payload.signature")
  equal(await Effect.runPromise(files.readText(`${directory}/token`, { maxBytes: 24 })), "header.payload.signature")
})

test("reads a file over several reads, in order, up to exactly the limit", async () => {
  const lines = Array.from({ length: 5000 }, (_, i) => String(i).padStart(7, "0")).join("\n") + "\n"
  equal(await Effect.runPromise(files.readText(`${directory}/lines`, { maxBytes: 40_000 })), lines)
  equal((await failure(files.readText(`${directory}/lines`, { maxBytes: 39_999 }))).reason, "too-large")
})

test("refuses a file over the limit without quoting it", async () => {
  const error = await failure(files.readText(`${directory}/large.key`, { maxBytes: 4096 }))
  equal(error.reason, "too-large")
  if (error.message.includes("xxxx")) throw new Error("the message quotes the file")
})

test("refuses a directory and reports a missing file", async () => {
  equal((await failure(files.readText(directory, { maxBytes: 10 }))).reason, "not-a-file")
  equal((await failure(files.readText(`${directory}/missing`, { maxBytes: 10 }))).reason, "not-found")
  equal((await failure(files.realPath(`${directory}/missing`))).reason, "not-found")
})

test("resolves links and stats what they point at; a directory exists", async () => {
  equal(await Effect.runPromise(files.realPath(`${directory}/link`)), `${directory}/token`)
  equal(await Effect.runPromise(files.stat(`${directory}/link`)), { size: 24, isFile: true })
  equal(await Effect.runPromise(files.exists(`${directory}/link`)), true)
  equal(await Effect.runPromise(files.exists(directory)), true)
  equal(await Effect.runPromise(files.exists(`${directory}/missing`)), false)
})
