import { describe, expect, it } from "@effect/vitest"
import * as Either from "effect/Either"
import { SourceCatalog, SourceRequirements } from "../src/index.js"

const build = (name: Parameters<typeof SourceCatalog.get>[0], variables: Record<string, string>, installed = false) =>
  Either.getOrThrow(SourceCatalog.get(name).build(variables, { platform: "posix", installed: installed ? [name] : [] }))

describe("SourceRequirements.of", () => {
  it("names the federated token file for workload identity", () => {
    const requirements = SourceRequirements.of(
      build("WorkloadIdentity", {
        AZURE_FEDERATED_TOKEN_FILE: "/var/run/secrets/azure/tokens/azure-identity-token",
        AZURE_CLIENT_ID: "00000000-0000-0000-0000-000000000001",
        AZURE_TENANT_ID: "contoso.onmicrosoft.com"
      })
    )
    expect(requirements).toEqual({
      source: "WorkloadIdentity",
      endpoint: "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token",
      files: [
        { path: "/var/run/secrets/azure/tokens/azure-identity-token", kind: "file", purpose: "the federated token" }
      ],
      certificatePinning: false
    })
  })

  it("names Azure Arc's key directory: the code-level option, else the platform's default", () => {
    const of = (platform: "posix" | "windows", arcKeyDirectory?: string) =>
      SourceRequirements.of(
        Either.getOrThrow(
          SourceCatalog.get("AzureArc").build({}, { platform, installed: ["AzureArc"], options: { arcKeyDirectory } })
        )
      ).files[0]?.path
    expect(of("posix")).toBe("/var/opt/azcmagent/tokens")
    expect(of("windows")).toBe("C:\\ProgramData\\AzureConnectedMachineAgent\\Tokens")
    expect(of("posix", "/tmp/arc")).toBe("/tmp/arc")
  })

  it("marks Service Fabric as pinning and the HTTP-only sources as needing nothing else", () => {
    const http = [
      build("IMDS", {}),
      build("AppService", { IDENTITY_ENDPOINT: "http://127.0.0.1:1/t", IDENTITY_HEADER: "h" }),
      build("AzureML", { MSI_ENDPOINT: "http://127.0.0.1:1/t", MSI_SECRET: "s" }),
      build("CloudShell", { MSI_ENDPOINT: "http://127.0.0.1:1/t" })
    ]
    for (const source of http) {
      expect(SourceRequirements.of(source)).toMatchObject({ files: [], certificatePinning: false })
    }
    const fabric = build("ServiceFabric", {
      IDENTITY_ENDPOINT: "https://127.0.0.1:2377/t",
      IDENTITY_HEADER: "h",
      IDENTITY_SERVER_THUMBPRINT: "A1B2C3D4E5F60718293A4B5C6D7E8F9012345678"
    })
    expect(SourceRequirements.of(fabric)).toMatchObject({ files: [], certificatePinning: true })
  })
})
