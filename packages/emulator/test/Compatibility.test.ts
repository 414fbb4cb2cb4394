/**
 * `@azure/identity`, pointed at the emulator with the standard variables, gets tokens from it:
 * the emulator speaks each protocol the way the official client expects.
 */
import { execFile } from "node:child_process"
import { readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest"
import { Emulator } from "../src/index.js"
import { verifyToken } from "./loopback.js"

const client = fileURLToPath(new URL("./azure-identity-client.mjs", import.meta.url))

/** Every variable any managed-identity client reads; the child starts without all of them. */
const identityVariables = [
  "AZURE_POD_IDENTITY_AUTHORITY_HOST",
  "IDENTITY_ENDPOINT",
  "IDENTITY_HEADER",
  "IDENTITY_SERVER_THUMBPRINT",
  "IMDS_ENDPOINT",
  "MSI_ENDPOINT",
  "MSI_SECRET",
  "DEFAULT_IDENTITY_CLIENT_ID",
  "AZURE_AUTHORITY_HOST",
  "AZURE_FEDERATED_TOKEN_FILE",
  "AZURE_CLIENT_ID",
  "AZURE_TENANT_ID",
  "AZURE_CLIENT_SECRET",
  "AZURE_CLIENT_CERTIFICATE_PATH"
]

interface ClientResult {
  readonly ok: boolean
  readonly token?: string
  readonly expiresOnTimestamp?: number
  readonly name?: string
  readonly message?: string
}

const isLoopbackUrl = (value: string) => ["127.0.0.1", "localhost"].includes(new URL(value).hostname)

/**
 * Runs @azure/identity in a child process with `variables` (plus the IMDS redirect, always, so a
 * misdetected source can only ever reach the emulator). Fails closed: nothing runs unless every
 * endpoint variable points at loopback.
 */
const getToken = (variables: Record<string, string>, config: Record<string, unknown>): Promise<ClientResult> => {
  const endpoints = Object.entries(variables).filter(([name]) => /ENDPOINT|HOST/.test(name))
  expect(variables.AZURE_POD_IDENTITY_AUTHORITY_HOST).toBeDefined()
  for (const [, value] of endpoints) expect(isLoopbackUrl(value)).toBe(true)
  const env: Record<string, string> = {}
  for (const [name, value] of Object.entries(process.env))
    if (value !== undefined && !identityVariables.includes(name) && !/PROXY/i.test(name)) env[name] = value
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [client, JSON.stringify(config)],
      { env: { ...env, ...variables }, timeout: 20_000 },
      (error, stdout) => {
        const line = stdout.trim().split("\n").at(-1) ?? ""
        try {
          resolve(JSON.parse(line) as ClientResult)
        } catch {
          reject(new Error(`@azure/identity client failed: ${error?.message ?? "no output"}`))
        }
      }
    )
  })
}

describe("@azure/identity compatibility", () => {
  let emulator: Emulator.Emulator
  const userClientId = "44444444-4444-4444-4444-444444444444"

  beforeAll(async () => {
    emulator = await Emulator.start({
      identities: ["system", `user:clientId=${userClientId},name=worker`],
      // MSAL computes expires_in from a numeric expires_on; it cannot read legacy App Service's date string.
      legacyExpiresOn: "seconds"
    })
  })
  afterAll(() => emulator.close())
  beforeEach(() => emulator.requests.clear())

  const expectToken = (result: ClientResult, audience: string, clientId: string) => {
    expect(result.message).toBeUndefined()
    expect(result.ok).toBe(true)
    const { valid, claims } = verifyToken(result.token!, emulator.jwks.keys)
    expect(valid).toBe(true)
    expect(claims.aud).toBe(audience)
    expect(claims.appid).toBe(clientId)
    // Entra sends a relative expires_in, so the client's own clock adds a second or so.
    expect(Math.abs(result.expiresOnTimestamp! - claims.exp * 1000)).toBeLessThanOrEqual(2000)
  }

  it("refuses to run with a non-loopback endpoint (the guard fails closed)", () => {
    expect(() =>
      getToken({ AZURE_POD_IDENTITY_AUTHORITY_HOST: "http://169.254.169.254" }, { credential: "managed", scope: "x" })
    ).toThrow()
    expect(() => getToken({ IDENTITY_ENDPOINT: emulator.url }, { credential: "managed", scope: "x" })).toThrow()
    expect(emulator.requests.all()).toEqual([])
  })

  it("IMDS through AZURE_POD_IDENTITY_AUTHORITY_HOST, system- and user-assigned", async () => {
    const system = emulator.identities.systemAssigned()!
    expectToken(
      await getToken(emulator.envFor("imds"), { credential: "managed", scope: "https://vault.azure.net/.default" }),
      "https://vault.azure.net",
      system.clientId
    )
    expectToken(
      await getToken(emulator.envFor("imds"), {
        credential: "managed",
        scope: "https://storage.azure.com/.default",
        clientId: userClientId
      }),
      "https://storage.azure.com",
      userClientId
    )
    // With the host overridden @azure/identity sends no probe: only the two token requests arrived.
    expect(emulator.requests.all("imds").map((entry) => [entry.status, entry.headers.metadata])).toEqual([
      [200, "true"],
      [200, "true"]
    ])
    expect(emulator.requests.all("imds")[1]?.query.client_id).toBe(userClientId)
  })

  it("App Service through IDENTITY_ENDPOINT and IDENTITY_HEADER", async () => {
    const result = await getToken(
      { ...emulator.envFor("appservice"), ...emulator.envFor("imds") },
      { credential: "managed", scope: "https://management.azure.com/.default", clientId: userClientId }
    )
    expectToken(result, "https://management.azure.com", userClientId)
    expect(emulator.requests.all().map((entry) => [entry.endpoint, entry.query["api-version"]])).toEqual([
      ["appservice", "2019-08-01"]
    ])
  })

  it("Azure ML through MSI_ENDPOINT and MSI_SECRET", async () => {
    const result = await getToken(
      { ...emulator.envFor("azureml"), ...emulator.envFor("imds") },
      { credential: "managed", scope: "https://management.azure.com/.default" }
    )
    expectToken(result, "https://management.azure.com", emulator.identities.systemAssigned()!.clientId)
    expect(emulator.requests.all().map((entry) => entry.endpoint)).toEqual(["azureml"])
  })

  it("Cloud Shell through MSI_ENDPOINT alone", async () => {
    const result = await getToken(
      { ...emulator.envFor("cloudshell"), ...emulator.envFor("imds") },
      { credential: "managed", scope: "https://management.azure.com/.default" }
    )
    expectToken(result, "https://management.azure.com", emulator.identities.systemAssigned()!.clientId)
    expect(emulator.requests.all().map((entry) => [entry.endpoint, entry.method])).toEqual([["cloudshell", "POST"]])
  })

  it("Service Fabric over HTTPS, trusting the emulator's certificate", async () => {
    const result = await getToken(
      { ...emulator.envFor("servicefabric"), ...emulator.envFor("imds") },
      { credential: "managed", scope: "https://management.azure.com/.default", ca: emulator.certificate }
    )
    expectToken(result, "https://management.azure.com", emulator.identities.systemAssigned()!.clientId)
    expect(emulator.requests.all().map((entry) => [entry.endpoint, entry.scheme])).toEqual([["servicefabric", "https"]])
  })

  it("workload identity: WorkloadIdentityCredential against the Entra endpoint over HTTPS", async () => {
    const env = emulator.envFor("workloadidentity")
    const tokenFilePath = await emulator.writeFederatedTokenFile()
    expect(readFileSync(tokenFilePath, "utf8")).toMatch(/^eyJ/)
    const result = await getToken(emulator.envFor("imds"), {
      credential: "workload",
      scope: "https://vault.azure.net/.default",
      tenantId: env.AZURE_TENANT_ID,
      clientId: userClientId,
      tokenFilePath,
      // MSAL insists on an https authority, so this uses the TLS port (same endpoints).
      authorityHost: emulator.httpsUrl,
      ca: emulator.certificate
    })
    expectToken(result, "https://vault.azure.net", userClientId)
    const entra = emulator.requests.all("entra")
    expect(entra.map((entry) => [entry.status, entry.form?.client_assertion])).toEqual([[200, "[REDACTED]"]])
  })
})
