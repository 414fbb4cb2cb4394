import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { Diagnostics, Environment, SourceRequirements } from "../src/index.js"

const ENDPOINT = "http://127.0.0.1:40342/metadata/identity/oauth2/token"

describe("SourceRequirements", () => {
  it("names the federated token file for workload identity", () => {
    const requirements = SourceRequirements.of({
      source: "WorkloadIdentity",
      endpoint: "https://login.microsoftonline.com/t/oauth2/v2.0/token",
      variables: { AZURE_FEDERATED_TOKEN_FILE: "/var/run/secrets/azure/tokens/azure-identity-token" },
      platform: "posix"
    })
    expect(requirements.files).toEqual([
      { path: "/var/run/secrets/azure/tokens/azure-identity-token", kind: "file", purpose: "the federated token" }
    ])
    expect(requirements.certificatePinning).toBe(false)
  })

  it("names Azure Arc's key directory: the code-level option, else the platform's default", () => {
    const of = (platform: "posix" | "windows", arcKeyDirectory?: string) =>
      SourceRequirements.of({
        source: "AzureArc",
        endpoint: ENDPOINT,
        variables: {},
        platform,
        sourceOptions: { arcKeyDirectory }
      }).files[0]?.path
    expect(of("posix")).toBe("/var/opt/azcmagent/tokens")
    expect(of("windows")).toBe("C:\\ProgramData\\AzureConnectedMachineAgent\\Tokens")
    expect(of("posix", "/tmp/arc")).toBe("/tmp/arc")
  })

  it("marks Service Fabric as pinning and the HTTP-only sources as needing nothing else", () => {
    for (const source of ["IMDS", "AppService", "AzureML", "CloudShell"] as const) {
      const requirements = SourceRequirements.of({ source, endpoint: ENDPOINT, variables: {}, platform: "posix" })
      expect(requirements.files).toEqual([])
      expect(requirements.certificatePinning).toBe(false)
      expect(SourceRequirements.withoutFileSystem(requirements, "no file system")).toBeUndefined()
    }
    const fabric = SourceRequirements.of({
      source: "ServiceFabric",
      endpoint: ENDPOINT,
      variables: {},
      platform: "posix"
    })
    expect(fabric.certificatePinning).toBe(true)
  })

  it("refuses a file-reading source without a file system with an Unavailable that says why", () => {
    const refusal = SourceRequirements.withoutFileSystem(
      SourceRequirements.of({ source: "AzureArc", endpoint: ENDPOINT, variables: {}, platform: "posix" }),
      "edge runtimes have no file system"
    )
    expect(refusal?._tag).toBe("Unavailable")
    expect(refusal?.reason).toBe("unsupported-runtime")
    expect(refusal?.attempts).toBe(0)
    expect(refusal?.message).toBe(
      "AzureArc: cannot be used here: it reads the agent's key files in /var/opt/azcmagent/tokens, but edge runtimes have no file system"
    )
  })

  it("refuses a pinning source without certificate pinning, and nothing else", () => {
    const of = (source: "ServiceFabric" | "IMDS" | "AzureArc") =>
      SourceRequirements.withoutCertificatePinning(
        SourceRequirements.of({ source, endpoint: ENDPOINT, variables: {}, platform: "posix" }),
        "fetch always validates the certificate chain"
      )
    expect(of("ServiceFabric")?.reason).toBe("unsupported-runtime")
    expect(of("ServiceFabric")?.message).toBe(
      "ServiceFabric: cannot be used here: its endpoint's self-signed certificate must be pinned by thumbprint, but fetch always validates the certificate chain"
    )
    expect(of("IMDS")).toBeUndefined()
    expect(of("AzureArc")).toBeUndefined()
  })

  it.effect("reads the variables from the Environment in context", () =>
    Effect.gen(function* () {
      const requirements = yield* SourceRequirements.fromService({ source: "WorkloadIdentity", endpoint: ENDPOINT })
      expect(requirements.files[0]?.path).toBe("/tmp/token")
    }).pipe(Effect.provide(Environment.layer({ AZURE_FEDERATED_TOKEN_FILE: "/tmp/token" })))
  )

  it("lists every variable the diagnostics know", () => {
    const diagnosed = Diagnostics.diagnose({}, { platform: "posix", arcAgentInstalled: false }).variables.map(
      (v) => v.name
    )
    expect([...SourceRequirements.variableNames].sort()).toEqual([...diagnosed].sort())
  })
})
