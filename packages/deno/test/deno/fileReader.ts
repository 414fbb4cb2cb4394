/**
 * DenoFileReader in the real Deno binary, over files test/DenoFileReader.test.ts prepared in a
 * temporary directory (the only path this run may read). Deno.args: [directory, outside].
 */
import * as Effect from "effect/Effect"
import { DenoFileReader } from "../../src/effect.js"

declare const Deno: {
  test(name: string, fn: () => Promise<void>): void
  readonly args: ReadonlyArray<string>
}

const [directory, outside] = Deno.args as [string, string]
const files = DenoFileReader.make()

const equal = (actual: unknown, expected: unknown) => {
  if (JSON.stringify(actual) !== JSON.stringify(expected)) {
    throw new Error(`expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`)
  }
}
const failure = (effect: Effect.Effect<unknown, { reason: string; message: string }>) =>
  Effect.runPromise(Effect.flip(effect))

Deno.test("reads a file within the limit, exactly at it too", async () => {
  equal(await Effect.runPromise(files.readText(`${directory}/token`, { maxBytes: 4096 })), "header.payload.signature")
  equal(await Effect.runPromise(files.readText(`${directory}/token`, { maxBytes: 24 })), "header.payload.signature")
})

Deno.test("reads a file over several reads, in order, up to exactly the limit", async () => {
  const lines = Array.from({ length: 5000 }, (_, i) => String(i).padStart(7, "0")).join("\n") + "\n"
  equal(await Effect.runPromise(files.readText(`${directory}/lines`, { maxBytes: 40_000 })), lines)
  equal((await failure(files.readText(`${directory}/lines`, { maxBytes: 39_999 }))).reason, "too-large")
})

Deno.test("refuses a file over the limit without quoting it", async () => {
  const error = await failure(files.readText(`${directory}/large.key`, { maxBytes: 4096 }))
  equal(error.reason, "too-large")
  if (error.message.includes("xxxx")) throw new Error("the message quotes the file")
})

Deno.test("refuses a directory and reports a missing file", async () => {
  equal((await failure(files.readText(directory, { maxBytes: 10 }))).reason, "not-a-file")
  equal((await failure(files.readText(`${directory}/missing`, { maxBytes: 10 }))).reason, "not-found")
  equal((await failure(files.realPath(`${directory}/missing`))).reason, "not-found")
})

Deno.test("resolves links and stats what they point at", async () => {
  equal(await Effect.runPromise(files.realPath(`${directory}/link`)), `${directory}/token`)
  equal(await Effect.runPromise(files.stat(`${directory}/link`)), { size: 24, isFile: true })
  equal(await Effect.runPromise(files.exists(`${directory}/link`)), true)
  equal(await Effect.runPromise(files.exists(`${directory}/missing`)), false)
})

Deno.test("a path outside --allow-read is permission-denied, naming the flag", async () => {
  const error = await failure(files.readText(outside, { maxBytes: 4096 }))
  equal(error.reason, "permission-denied")
  if (!error.message.includes(`--allow-read=${outside}`))
    throw new Error(`the message does not name the flag: ${error.message}`)
})
