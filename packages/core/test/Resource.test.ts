import { describe, expect, it } from "@effect/vitest"
import * as Either from "effect/Either"
import { Resource } from "../src/index.js"

const ok = (result: Either.Either<Resource.Resource, unknown>) => {
  if (Either.isLeft(result)) throw new Error("expected a resource")
  return result.right as string
}

describe("Resource.make", () => {
  it.each([
    ["https://management.azure.com/", "https://management.azure.com/"],
    ["https://management.azure.com/.default", "https://management.azure.com"],
    ["https://management.azure.com//.default", "https://management.azure.com/"],
    ["  https://vault.azure.net  ", "https://vault.azure.net"],
    ["api://my-app/.default", "api://my-app"],
    ["00000003-0000-0000-c000-000000000000", "00000003-0000-0000-c000-000000000000"],
    ["https://x/.default/.default", "https://x/.default"]
  ])("accepts %j as %j", (input, expected) => {
    expect(ok(Resource.make(input))).toBe(expected)
  })

  it.each([
    ["", "must not be empty"],
    ["   ", "must not be empty"],
    ["/.default", "must not be empty"],
    ["https://x/ y", "not allowed in a URI"],
    ["https://x/\r\nHost: evil", "not allowed in a URI"],
    ['https://x/"', "not allowed in a URI"],
    ["https://x/é", "not allowed in a URI"],
    ["/relative/path", "neither an absolute URI"],
    ["-starts-with-dash", "neither an absolute URI"]
  ])("refuses %j", (input, words) => {
    const result = Resource.make(input)
    expect(Either.isLeft(result) && result.left._tag).toBe("InvalidArgument")
    expect(Either.isLeft(result) && result.left.message).toContain(words)
    expect(Either.isLeft(result) && result.left.argument).toBe("resource")
  })

  it("refuses a resource over 2048 characters", () => {
    const result = Resource.make(`https://x/${"a".repeat(2048)}`)
    expect(Either.isLeft(result) && result.left.message).toContain("at most 2048")
  })

  it("refuses a non-string, naming the argument given", () => {
    const result = Resource.make(42 as unknown as string, "scope")
    expect(Either.isLeft(result) && result.left).toMatchObject({
      argument: "scope",
      message: "scope: expected a string, got number"
    })
    const nil = Resource.make(null as unknown as string)
    expect(Either.isLeft(nil) && nil.left.message).toContain("got null")
  })

  it("keeps query-like characters intact: they are encoded later by URLSearchParams", () => {
    expect(ok(Resource.make("https://x/&client_id=evil"))).toBe("https://x/&client_id=evil")
  })

  it("shortens and cleans the input it quotes", () => {
    const result = Resource.make(`https://x/ ${"b".repeat(200)}`)
    const message = Either.isLeft(result) ? result.left.message : ""
    expect(message).toContain("...")
    expect(message.length).toBeLessThan(200)
  })
})

describe("Resource.fromScopes", () => {
  it("takes exactly one scope", () => {
    expect(ok(Resource.fromScopes(["https://management.azure.com/.default"]))).toBe("https://management.azure.com")
    expect(ok(Resource.fromScopes("https://vault.azure.net/.default"))).toBe("https://vault.azure.net")
  })

  it.each([
    [[], "no scope given"],
    [["https://a/.default", "https://b/.default"], "exactly one scope, got 2"],
    [{ length: 1 }, "expected a string or an array"]
  ])("refuses %j", (scopes, words) => {
    const result = Resource.fromScopes(scopes as ReadonlyArray<string>)
    expect(Either.isLeft(result) && result.left).toMatchObject({ _tag: "InvalidArgument", argument: "scopes" })
    expect(Either.isLeft(result) && result.left.message).toContain(words)
  })

  it("names scopes in the errors of the scope itself", () => {
    const result = Resource.fromScopes([""])
    expect(Either.isLeft(result) && result.left.argument).toBe("scopes")
  })
})

describe("Resource.toScope", () => {
  it.each([
    ["https://management.azure.com/", "https://management.azure.com/.default"],
    ["https://vault.azure.net", "https://vault.azure.net/.default"],
    ["api://app", "api://app/.default"]
  ])("%s → %s", (input, scope) => {
    expect(Resource.toScope(Either.getOrThrow(Resource.make(input)))).toBe(scope)
  })

  it("round-trips through fromScopes", () => {
    const resource = Either.getOrThrow(Resource.make("https://storage.azure.com"))
    expect(ok(Resource.fromScopes([Resource.toScope(resource)]))).toBe("https://storage.azure.com")
  })
})
