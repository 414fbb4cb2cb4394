import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { Environment, FileReader, Identity, Source, type SourceName } from "../src/index.js"
import { TOKEN, countingFiles, fakeHttp, resource, tokenBody } from "./support/sourceFakes.js"

const SF = {
  IDENTITY_ENDPOINT: "https://127.0.0.1:2377/metadata/identity/oauth2/token",
  IDENTITY_HEADER: "h",
  IDENTITY_SERVER_THUMBPRINT: "A1B2C3D4E5F60718293A4B5C6D7E8F9012345678"
}
const APP = { IDENTITY_ENDPOINT: "http://127.0.0.1:41741/msi/token/", IDENTITY_HEADER: "h" }
const ML = { MSI_ENDPOINT: "http://127.0.0.1:46808/msi/token", MSI_SECRET: "s" }
const SHELL = { MSI_ENDPOINT: "http://localhost:50342/oauth2/token" }
const ARC = {
  IDENTITY_ENDPOINT: "http://127.0.0.1:40342/metadata/identity/oauth2/token",
  IMDS_ENDPOINT: "http://127.0.0.1:40342"
}
const WORKLOAD = {
  AZURE_FEDERATED_TOKEN_FILE: "/var/run/secrets/azure/tokens/azure-identity-token",
  AZURE_CLIENT_ID: "00000000-0000-0000-0000-000000000001",
  AZURE_TENANT_ID: "72f988bf-86f1-41af-91ab-2d7cd011db47"
}

describe("Source.detectName", () => {
  const table: ReadonlyArray<readonly [string, Record<string, string | undefined>, boolean, SourceName.SourceName]> = [
    ["nothing set", {}, false, "IMDS"],
    ["Service Fabric", SF, false, "ServiceFabric"],
    ["App Service", APP, false, "AppService"],
    ["Azure ML", ML, false, "AzureML"],
    ["Cloud Shell", SHELL, false, "CloudShell"],
    ["Azure Arc by variables", ARC, false, "AzureArc"],
    ["Azure Arc by agent", {}, true, "AzureArc"],
    ["workload identity", WORKLOAD, false, "WorkloadIdentity"],
    ["Service Fabric before App Service", { ...APP, ...SF }, false, "ServiceFabric"],
    ["App Service before Azure ML", { ...APP, ...ML }, false, "AppService"],
    ["Azure ML before Cloud Shell", { ...ML }, false, "AzureML"],
    ["Cloud Shell before Arc", { ...SHELL, ...ARC }, false, "CloudShell"],
    ["App Service before Arc (IDENTITY_HEADER wins)", { ...ARC, IDENTITY_HEADER: "h" }, false, "AppService"],
    ["Arc before workload identity", { ...WORKLOAD }, true, "AzureArc"],
    [
      "workload identity before IMDS",
      { ...WORKLOAD, AZURE_POD_IDENTITY_AUTHORITY_HOST: "http://127.0.0.1:1" },
      false,
      "WorkloadIdentity"
    ],
    ["IDENTITY_ENDPOINT alone", { IDENTITY_ENDPOINT: APP.IDENTITY_ENDPOINT }, false, "IMDS"],
    ["MSI_SECRET alone", { MSI_SECRET: "s" }, false, "IMDS"],
    ["empty values count as unset", { IDENTITY_ENDPOINT: "", IDENTITY_HEADER: "", MSI_ENDPOINT: "" }, false, "IMDS"],
    ["workload identity without tenant", { ...WORKLOAD, AZURE_TENANT_ID: undefined }, false, "IMDS"]
  ]
  for (const [name, variables, arcAgentInstalled, expected] of table) {
    it(`${name} → ${expected}`, () => expect(Source.detectName(variables, { arcAgentInstalled })).toBe(expected))
  }
})

const provide = (
  variables: Environment.Variables,
  files: FileReader.FileReader["Type"],
  platform: Environment.Platform = "posix"
) => Effect.provide(Layer.merge(Environment.layer(variables, platform), FileReader.layer(files)))

describe("Source.detect", () => {
  it.effect("builds the detected source", () =>
    Effect.gen(function* () {
      const cases: ReadonlyArray<readonly [Record<string, string>, SourceName.SourceName, string]> = [
        [SF, "ServiceFabric", "https://127.0.0.1:2377/metadata/identity/oauth2/token"],
        [APP, "AppService", "http://127.0.0.1:41741/msi/token/"],
        [ML, "AzureML", "http://127.0.0.1:46808/msi/token"],
        [SHELL, "CloudShell", "http://localhost:50342/oauth2/token"],
        [ARC, "AzureArc", "http://127.0.0.1:40342/metadata/identity/oauth2/token"],
        [
          WORKLOAD,
          "WorkloadIdentity",
          "https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/oauth2/v2.0/token"
        ],
        [{}, "IMDS", "http://169.254.169.254/metadata/identity/oauth2/token"]
      ]
      for (const [variables, name, endpoint] of cases) {
        const source = yield* Source.detect().pipe(provide(variables, FileReader.memory({ files: {} })))
        expect([source.name, source.endpoint]).toEqual([name, endpoint])
      }
    })
  )

  it.effect("detects the Arc agent by its file, at the platform's default path or the given one", () =>
    Effect.gen(function* () {
      const posix = countingFiles({ files: { "/opt/azcmagent/bin/himds": "" } })
      const source = yield* Source.detect().pipe(provide({}, posix.reader))
      expect(source.name).toBe("AzureArc")
      expect(source.endpoint).toBe("http://localhost:40342/metadata/identity/oauth2/token")
      const windows = FileReader.memory({ files: { "C:\\Program Files\\AzureConnectedMachineAgent\\himds.exe": "" } })
      expect((yield* Source.detect().pipe(provide({}, windows, "windows"))).name).toBe("AzureArc")
      const custom = FileReader.memory({ files: { "/tmp/fake-himds": "" } })
      expect((yield* Source.detect({ arcAgentPath: "/tmp/fake-himds" }).pipe(provide({}, custom))).name).toBe(
        "AzureArc"
      )
    })
  )

  it.effect("does not touch the file system when an earlier source is configured", () =>
    Effect.gen(function* () {
      const files = countingFiles({ files: { "/opt/azcmagent/bin/himds": "" } })
      const source = yield* Source.detect().pipe(provide(APP, files.reader))
      expect(source.name).toBe("AppService")
      expect(files.calls.exists).toBe(0)
    })
  )

  const invalid: ReadonlyArray<readonly [Record<string, string>, string]> = [
    [{ ...APP, IDENTITY_ENDPOINT: "not a url" }, "IDENTITY_ENDPOINT"],
    [{ ...ML, MSI_ENDPOINT: "//nohost" }, "MSI_ENDPOINT"],
    [{ ...SF, IDENTITY_SERVER_THUMBPRINT: "zz" }, "IDENTITY_SERVER_THUMBPRINT"],
    [{ ...WORKLOAD, AZURE_TENANT_ID: "../x" }, "AZURE_TENANT_ID"],
    [{ AZURE_POD_IDENTITY_AUTHORITY_HOST: "::" }, "AZURE_POD_IDENTITY_AUTHORITY_HOST"]
  ]
  for (const [variables, argument] of invalid) {
    it.effect(`fails with InvalidArgument naming ${argument} when it is invalid`, () =>
      Effect.gen(function* () {
        const error = yield* Effect.flip(Source.detect().pipe(provide(variables, FileReader.memory({ files: {} }))))
        expect(error).toMatchObject({ _tag: "InvalidArgument", argument })
      })
    )
  }

  it.effect("passes the code-level Arc key directory to the source", () =>
    Effect.gen(function* () {
      const keyPath = "/srv/emulator/tokens/k.key"
      const http = fakeHttp([
        { status: 401, headers: { "www-authenticate": `Basic realm=${keyPath}` } },
        { status: 200, body: tokenBody() }
      ])
      const files = FileReader.memory({ files: { [keyPath]: "key" } })
      const source = yield* Source.detect({ arcKeyDirectory: "/srv/emulator/tokens" }).pipe(provide(ARC, files))
      const token = yield* source
        .acquire({ identity: Identity.systemAssigned, resource: resource() })
        .pipe(Effect.provide(FileReader.layer(files)), Effect.provide(http.layer))
      expect(token.token).toBe(TOKEN)
      expect(http.recorded[1]!.headers.authorization).toBe("Basic key")
    })
  )
})

describe("Source.make", () => {
  it.effect("builds a named source", () =>
    Effect.gen(function* () {
      const source = yield* Source.make("CloudShell").pipe(provide(SHELL, FileReader.memory({ files: {} })))
      expect(source.name).toBe("CloudShell")
    })
  )

  it.effect("is Unavailable not-configured when the source's variables are missing", () =>
    Effect.gen(function* () {
      for (const name of [
        "ServiceFabric",
        "AppService",
        "AzureML",
        "CloudShell",
        "AzureArc",
        "WorkloadIdentity"
      ] as const) {
        const error = yield* Effect.flip(Source.make(name).pipe(provide({}, FileReader.memory({ files: {} }))))
        expect(error).toMatchObject({ _tag: "Unavailable", reason: "not-configured", source: name })
      }
      const imds = yield* Source.make("IMDS").pipe(provide({}, FileReader.memory({ files: {} })))
      expect(imds.name).toBe("IMDS")
    })
  )

  it.effect("builds Azure Arc from the installed agent", () =>
    Effect.gen(function* () {
      const files = FileReader.memory({ files: { "/opt/azcmagent/bin/himds": "" } })
      const source = yield* Source.make("AzureArc").pipe(provide({}, files))
      expect(source.endpoint).toBe("http://localhost:40342/metadata/identity/oauth2/token")
    })
  )
})
