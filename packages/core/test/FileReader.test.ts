/**
 * The error mapping every adapter's file reader shares: Node's and Bun's `code`s and Deno's error
 * names, with messages built from the path alone.
 */
import { describe, expect, it } from "@effect/vitest"
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
