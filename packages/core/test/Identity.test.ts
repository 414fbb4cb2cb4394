import { describe, expect, it } from "@effect/vitest"
import * as Either from "effect/Either"
import { Identity } from "../src/index.js"

const valid = (identity: Either.Either<Identity.Identity, unknown>): Identity.Identity => Either.getOrThrow(identity)

describe("Identity constructors", () => {
  it("builds each kind", () => {
    expect(Identity.systemAssigned).toEqual({ _tag: "SystemAssigned" })
    expect(valid(Identity.clientId("c"))).toEqual({ _tag: "ClientId", id: "c" })
    expect(valid(Identity.objectId("o"))).toEqual({ _tag: "ObjectId", id: "o" })
    expect(valid(Identity.resourceId("/r"))).toEqual({ _tag: "ResourceId", id: "/r" })
  })

  it.each([
    ["clientId", Identity.clientId, ""],
    ["objectId", Identity.objectId, "a b"],
    ["resourceId", Identity.resourceId, "/r\r\n"],
    ["clientId", Identity.clientId, "x".repeat(1025)],
    ["clientId", Identity.clientId, "é"]
  ] as const)("%s refuses %j with an InvalidArgument naming the option", (argument, make, value) => {
    const result = make(value)
    expect(Either.isLeft(result) && result.left).toMatchObject({ _tag: "InvalidArgument", argument })
  })

  it("freezes the system-assigned identity", () => {
    expect(Object.isFrozen(Identity.systemAssigned)).toBe(true)
  })
})

describe("Identity.fromOptions", () => {
  it.each([
    [undefined, Identity.systemAssigned],
    [{}, Identity.systemAssigned],
    [{ clientId: undefined }, Identity.systemAssigned],
    [
      { clientId: "11111111-1111-1111-1111-111111111111" },
      valid(Identity.clientId("11111111-1111-1111-1111-111111111111"))
    ],
    [{ objectId: "oid" }, valid(Identity.objectId("oid"))],
    [
      { resourceId: "/subscriptions/s/resourcegroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/u" },
      valid(
        Identity.resourceId(
          "/subscriptions/s/resourcegroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/u"
        )
      )
    ]
  ])("%j → %j", (options, expected) => {
    expect(Either.getOrThrow(Identity.fromOptions(options))).toEqual(expected)
  })

  it("refuses more than one id, naming them", () => {
    const result = Identity.fromOptions({ clientId: "a", resourceId: "b" })
    expect(Either.isLeft(result) && result.left).toMatchObject({
      _tag: "InvalidArgument",
      argument: "clientId, resourceId"
    })
    expect(Either.isLeft(result) && result.left.message).toContain("give at most one")
  })

  it.each([
    [{ clientId: "" }, "clientId", "non-empty"],
    [{ clientId: "a b" }, "clientId", "without spaces"],
    [{ objectId: "a\r\nb" }, "objectId", "control characters"],
    [{ resourceId: 42 as unknown as string }, "resourceId", "expected a string, got number"],
    [{ clientId: null as unknown as string }, "clientId", "got null"],
    [{ clientId: "x".repeat(1025) }, "clientId", "longer than 1024"]
  ])("refuses %j", (options, argument, words) => {
    const result = Identity.fromOptions(options)
    expect(Either.isLeft(result) && result.left.argument).toBe(argument)
    expect(Either.isLeft(result) && result.left.message).toContain(words)
  })

  it("accepts ids with URL-significant characters: sources encode them", () => {
    expect(Either.isRight(Identity.fromOptions({ clientId: "a&client_id=evil#x?y" }))).toBe(true)
  })
})

describe("Identity.key and describe", () => {
  it.each([
    [Identity.systemAssigned, "SystemAssigned", "system-assigned identity"],
    [valid(Identity.clientId("c")), "ClientId:c", "user-assigned identity (client id c)"],
    [valid(Identity.objectId("o")), "ObjectId:o", "user-assigned identity (object id o)"],
    [valid(Identity.resourceId("/r")), "ResourceId:/r", "user-assigned identity (resource id /r)"]
  ])("%j", (identity, key, description) => {
    expect(Identity.key(identity)).toBe(key)
    expect(Identity.describe(identity)).toBe(description)
  })

  it("gives different keys to different kinds with the same id", () => {
    expect(Identity.key(valid(Identity.clientId("x")))).not.toBe(Identity.key(valid(Identity.objectId("x"))))
  })
})
