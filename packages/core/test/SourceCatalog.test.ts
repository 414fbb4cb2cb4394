import { describe, expect, it } from "@effect/vitest"
import * as Detection from "../src/internal/detection.js"
import { run } from "../src/internal/exchange.js"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import {
  CertificatePinning,
  Environment,
  FileReader,
  Identity,
  Source,
  SourceCatalog,
  type SourceName
} from "../src/index.js"
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

describe("SourceCatalog.detectName", () => {
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
    it(`${name} → ${expected}`, () =>
      expect(SourceCatalog.detectName(variables, { installed: arcAgentInstalled ? ["AzureArc"] : [] })).toBe(expected))
  }
})

const provide = (
  variables: Environment.Variables,
  files: FileReader.FileReader["Type"],
  platform: Environment.Platform = "posix",
  pinning: Layer.Layer<CertificatePinning.CertificatePinning> = CertificatePinning.layer(() => ({
    client: { send: () => Effect.die("no request expected") },
    close: () => {}
  }))
) => Effect.provide(Layer.mergeAll(Environment.layer(variables, platform), FileReader.layer(files), pinning))

describe("SourceCatalog.detect", () => {
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
        const source = yield* Detection.detect().pipe(provide(variables, FileReader.memory({ files: {} })))
        expect([source.name, source.endpoint]).toEqual([name, endpoint])
      }
    })
  )

  it.effect("detects the Arc agent by its file, at the platform's default path or the given one", () =>
    Effect.gen(function* () {
      const posix = countingFiles({ files: { "/opt/azcmagent/bin/himds": "" } })
      const source = yield* Detection.detect().pipe(provide({}, posix.reader))
      expect(source.name).toBe("AzureArc")
      expect(source.endpoint).toBe("http://127.0.0.1:40342/metadata/identity/oauth2/token")
      const windows = FileReader.memory({ files: { "C:\\Program Files\\AzureConnectedMachineAgent\\himds.exe": "" } })
      expect((yield* Detection.detect().pipe(provide({}, windows, "windows"))).name).toBe("AzureArc")
      const custom = FileReader.memory({ files: { "/tmp/fake-himds": "" } })
      expect((yield* Detection.detect({ arcAgentPath: "/tmp/fake-himds" }).pipe(provide({}, custom))).name).toBe(
        "AzureArc"
      )
    })
  )

  it.effect("does not touch the file system when an earlier source is configured", () =>
    Effect.gen(function* () {
      const files = countingFiles({ files: { "/opt/azcmagent/bin/himds": "" } })
      const source = yield* Detection.detect().pipe(provide(APP, files.reader))
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
        const error = yield* Effect.flip(Detection.detect().pipe(provide(variables, FileReader.memory({ files: {} }))))
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
      const source = yield* Detection.detect({ arcKeyDirectory: "/srv/emulator/tokens" }).pipe(provide(ARC, files))
      const token = yield* run(source.start({ identity: Identity.systemAssigned, resource: resource() })).pipe(
        Effect.provide(FileReader.layer(files)),
        Effect.provide(http.layer)
      )
      expect(token.token).toBe(TOKEN)
      expect(http.recorded[1]!.headers.authorization).toBe("Basic key")
    })
  )
})

describe("SourceCatalog.make", () => {
  it.effect("builds a named source", () =>
    Effect.gen(function* () {
      const source = yield* Detection.make("CloudShell").pipe(provide(SHELL, FileReader.memory({ files: {} })))
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
        const error = yield* Effect.flip(Detection.make(name).pipe(provide({}, FileReader.memory({ files: {} }))))
        expect(error).toMatchObject({ _tag: "Unavailable", reason: "not-configured", source: name })
      }
      const imds = yield* Detection.make("IMDS").pipe(provide({}, FileReader.memory({ files: {} })))
      expect(imds.name).toBe("IMDS")
    })
  )

  it.effect("builds Azure Arc from the installed agent", () =>
    Effect.gen(function* () {
      const files = FileReader.memory({ files: { "/opt/azcmagent/bin/himds": "" } })
      const source = yield* Detection.make("AzureArc").pipe(provide({}, files))
      expect(source.endpoint).toBe("http://127.0.0.1:40342/metadata/identity/oauth2/token")
    })
  )
})

describe("SourceCatalog, for runtimes that lack a capability", () => {
  const noFiles = FileReader.unsupported("edge runtimes have no file system")
  const noPinning = CertificatePinning.unsupported("fetch always validates the certificate chain")

  it.effect("refuses a file-reading source up front, saying which file and why", () =>
    Effect.gen(function* () {
      const arc = yield* Effect.flip(Detection.detect().pipe(provide(ARC, noFiles)))
      expect(arc).toMatchObject({ _tag: "Unavailable", reason: "unsupported-runtime", source: "AzureArc", attempts: 0 })
      expect(arc.message).toBe(
        "AzureArc: cannot be used here: it reads the agent's key files in /var/opt/azcmagent/tokens, but edge runtimes have no file system"
      )
      const workload = yield* Effect.flip(Detection.detect().pipe(provide(WORKLOAD, noFiles)))
      expect(workload.message).toBe(
        "WorkloadIdentity: cannot be used here: it reads the federated token from /var/run/secrets/azure/tokens/azure-identity-token, but edge runtimes have no file system"
      )
    })
  )

  it.effect("refuses a pinning source up front, and only that one", () =>
    Effect.gen(function* () {
      const fabric = yield* Effect.flip(Detection.detect().pipe(provide(SF, noFiles, "posix", noPinning)))
      expect(fabric).toMatchObject({ _tag: "Unavailable", reason: "unsupported-runtime", source: "ServiceFabric" })
      expect(fabric.message).toBe(
        "ServiceFabric: cannot be used here: its endpoint's self-signed certificate must be pinned by thumbprint, but fetch always validates the certificate chain"
      )
      for (const variables of [APP, ML, SHELL, {}]) {
        const source = yield* Detection.detect().pipe(provide(variables, noFiles, "posix", noPinning))
        expect(source.files).toEqual([])
      }
    })
  )
})

describe("the catalog's descriptors", () => {
  it("are in detection order, each name once, IMDS (which needs no variable) last", () => {
    const names = SourceCatalog.all.map((descriptor) => descriptor.name)
    expect(new Set(names).size).toBe(names.length)
    expect(names.at(-1)).toBe("IMDS")
    expect(Source.requiredVariables(SourceCatalog.get("IMDS"))).toEqual([])
    for (const descriptor of SourceCatalog.all.slice(0, -1)) {
      expect(Source.requiredVariables(descriptor).length, descriptor.name).toBeGreaterThan(0)
    }
  })

  it("give every variable one definition: same name, same object, same secrecy", () => {
    const byName = new Map<string, Source.Variable>()
    for (const descriptor of SourceCatalog.all) {
      for (const use of descriptor.variables) {
        const seen = byName.get(use.variable.name)
        if (seen !== undefined) expect(use.variable, use.variable.name).toBe(seen)
        byName.set(use.variable.name, use.variable)
      }
    }
    expect([...SourceCatalog.variableNames].sort()).toEqual([...byName.keys()].sort())
    expect(byName.get("IDENTITY_HEADER")?.secret).toBe(true)
    expect(byName.get("MSI_SECRET")?.secret).toBe(true)
  })

  it("signal their source with at least one variable each (but IMDS)", () => {
    for (const descriptor of SourceCatalog.all.slice(0, -1)) {
      expect(
        descriptor.variables.some((use) => use.signals && use.required),
        descriptor.name
      ).toBe(true)
    }
  })
})

describe("endpoint checks before any secret leaves", () => {
  const remote: ReadonlyArray<readonly [string, Record<string, string>, string]> = [
    [
      "App Service",
      { IDENTITY_ENDPOINT: "http://10.1.2.3:41741/msi/token/", IDENTITY_HEADER: "h" },
      "IDENTITY_ENDPOINT"
    ],
    ["Azure ML", { MSI_ENDPOINT: "http://ml-host.example/msi/token", MSI_SECRET: "s" }, "MSI_ENDPOINT"],
    ["Cloud Shell", { MSI_ENDPOINT: "http://169.254.169.254/oauth2/token" }, "MSI_ENDPOINT"],
    [
      "Azure Arc",
      {
        IDENTITY_ENDPOINT: "http://arc.example:40342/metadata/identity/oauth2/token",
        IMDS_ENDPOINT: "http://arc.example:40342"
      },
      "IDENTITY_ENDPOINT"
    ]
  ]
  for (const [name, variables, argument] of remote) {
    it.effect(`${name}: an endpoint off this machine is an InvalidArgument naming ${argument}`, () =>
      Effect.gen(function* () {
        const error = yield* Effect.flip(Detection.detect().pipe(provide(variables, FileReader.memory({ files: {} }))))
        expect(error).toMatchObject({ _tag: "InvalidArgument", argument })
        expect(error.message).toContain("not on this machine")
        expect(error.message).toContain("allowNonLocalEndpoint")
      })
    )
    it.effect(`${name}: allowed by sourceOptions.allowNonLocalEndpoint`, () =>
      Effect.gen(function* () {
        const source = yield* Detection.detect({ allowNonLocalEndpoint: true }).pipe(
          provide(variables, FileReader.memory({ files: {} }))
        )
        expect(new URL(source.endpoint).hostname).not.toBe("127.0.0.1")
      })
    )
  }

  it.effect("loopback in every spelling is on this machine", () =>
    Effect.gen(function* () {
      for (const host of ["127.0.0.1", "127.1.2.3", "localhost", "LOCALHOST", "[::1]"]) {
        const source = yield* Detection.detect().pipe(
          provide(
            { IDENTITY_ENDPOINT: `http://${host}:41741/msi/token/`, IDENTITY_HEADER: "h" },
            FileReader.memory({ files: {} })
          )
        )
        expect(source.name).toBe("AppService")
      }
    })
  )
})
