import { Environment } from "@managed-identity/core"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as NodeEnvironment from "../src/NodeEnvironment.js"

const variable = "MI_NODE_ENVIRONMENT_TEST_ENDPOINT"

/** Sets a process variable for the scope's lifetime. */
const setVariable = (name: string, value: string | undefined) =>
  Effect.acquireRelease(
    Effect.sync(() => {
      const saved = process.env[name]
      if (value === undefined) delete process.env[name]
      else process.env[name] = value
      return saved
    }),
    (saved) =>
      Effect.sync(() => {
        if (saved === undefined) delete process.env[name]
        else process.env[name] = saved
      })
  )

/** Pretends to run on another platform for the scope's lifetime. */
const setPlatform = (platform: NodeJS.Platform) =>
  Effect.acquireRelease(
    Effect.sync(() => {
      const saved = Object.getOwnPropertyDescriptor(process, "platform")!
      Object.defineProperty(process, "platform", { ...saved, value: platform })
      return saved
    }),
    (saved) => Effect.sync(() => Object.defineProperty(process, "platform", saved))
  )

const build = (layer: Layer.Layer<Environment.Environment>) =>
  Effect.flatMap(Layer.build(layer), (context) => Effect.provide(Environment.Environment, context))

describe("NodeEnvironment", () => {
  it.scoped("reads process.env once, when the layer is built", () =>
    Effect.gen(function* () {
      yield* setVariable(variable, "http://127.0.0.1:40001/msi/token")
      const built = yield* build(NodeEnvironment.layer)
      process.env[variable] = "http://127.0.0.1:40002/changed"
      expect(built.variables[variable]).toBe("http://127.0.0.1:40001/msi/token")
      const rebuilt = yield* build(NodeEnvironment.layer)
      expect(rebuilt.variables[variable]).toBe("http://127.0.0.1:40002/changed")
    })
  )

  it.scoped("treats an empty variable as unset", () =>
    Effect.gen(function* () {
      yield* setVariable(variable, "")
      const built = yield* build(NodeEnvironment.layer)
      expect(variable in built.variables).toBe(false)
    })
  )

  it.scoped("is posix on Linux and macOS and windows on win32", () =>
    Effect.gen(function* () {
      yield* setPlatform("linux")
      expect((yield* build(NodeEnvironment.layer)).platform).toBe("posix")
      yield* setPlatform("darwin")
      expect(NodeEnvironment.platform()).toBe("posix")
      yield* setPlatform("win32")
      expect((yield* build(NodeEnvironment.layer)).platform).toBe("windows")
      expect((yield* build(NodeEnvironment.layerFrom({}))).platform).toBe("windows")
    })
  )

  it.scoped("layerFrom uses the given variables and nothing from process.env", () =>
    Effect.gen(function* () {
      yield* setVariable(variable, "from-process")
      const built = yield* build(
        NodeEnvironment.layerFrom({ IDENTITY_ENDPOINT: "http://127.0.0.1:40003/", IDENTITY_HEADER: "" }, "windows")
      )
      expect(built.variables).toEqual({ IDENTITY_ENDPOINT: "http://127.0.0.1:40003/" })
      expect(built.platform).toBe("windows")
    })
  )

  it.scoped("layerFrom copies the record, so later changes to it are not seen", () =>
    Effect.gen(function* () {
      const record: Record<string, string> = { MSI_ENDPOINT: "http://127.0.0.1:40004/" }
      const built = yield* build(NodeEnvironment.layerFrom(record))
      record.MSI_ENDPOINT = "http://127.0.0.1:40005/"
      expect(built.variables.MSI_ENDPOINT).toBe("http://127.0.0.1:40004/")
    })
  )
})
