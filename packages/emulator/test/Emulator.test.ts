import { X509Certificate } from "node:crypto"
import { existsSync, readFileSync, statSync } from "node:fs"
import { dirname } from "node:path"
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest"
import { Emulator } from "../src/index.js"
import { fetchJson, fetchRaw, isResponse, send, verifyToken } from "./loopback.js"

const arm = "https://management.azure.com/"
const imdsPath = "/metadata/identity/oauth2/token"
const user = {
  kind: "user" as const,
  name: "api",
  clientId: "11111111-1111-1111-1111-111111111111",
  objectId: "22222222-2222-2222-2222-222222222222",
  resourceId:
    "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/api"
}

const query = (params: Record<string, string>) => new URLSearchParams(params).toString()

describe("Emulator", () => {
  let emulator: Emulator.Emulator
  let system: Emulator.ManagedIdentity

  beforeAll(async () => {
    emulator = await Emulator.start({ identities: [{ kind: "system" }, user], tokenLifetimeSeconds: 3600 })
    system = emulator.identities.systemAssigned()!
  })
  afterAll(() => emulator.close())
  beforeEach(() => {
    emulator.requests.clear()
    emulator.faults.clear()
  })

  const imds = (params: Record<string, string>, headers: Record<string, string> = { Metadata: "true" }) =>
    fetchJson(`${emulator.url}${imdsPath}?${query(params)}`, { headers })

  describe("options", () => {
    it("binds to 127.0.0.1 only and refuses any other host", async () => {
      expect(new URL(emulator.url).hostname).toBe("127.0.0.1")
      expect(new URL(emulator.httpsUrl).hostname).toBe("127.0.0.1")
      await expect(Emulator.start({ host: "0.0.0.0" })).rejects.toThrow(/127\.0\.0\.1 only/)
      await expect(Emulator.start({ host: "0.0.0.0" })).rejects.toBeInstanceOf(Emulator.EmulatorOptionsError)
    })

    it("rejects invalid ports, lifetimes, identity and fault specs", async () => {
      await expect(Emulator.start({ port: 70000 })).rejects.toThrow(/port/)
      await expect(Emulator.start({ tokenLifetimeSeconds: 0 })).rejects.toThrow(/tokenLifetimeSeconds/)
      await expect(Emulator.start({ identities: ["robot"] })).rejects.toThrow(/Invalid identity/)
      await expect(Emulator.start({ faults: ["imds:teapot"] })).rejects.toThrow(/unknown action/)
    })

    it("rejects a port in use", async () => {
      await expect(Emulator.start({ port: emulator.port })).rejects.toMatchObject({ code: "EADDRINUSE" })
    })

    it("does not show its secret when logged or serialized", () => {
      expect(JSON.stringify(emulator)).not.toContain(emulator.secret)
      expect(Object.keys(emulator)).not.toContain("secret")
    })

    it("parses identity specs", () => {
      expect(Emulator.parseIdentity("user:clientId=a,objectId=b,resourceId=c,name=n")).toEqual({
        kind: "user",
        clientId: "a",
        objectId: "b",
        resourceId: "c",
        name: "n"
      })
      expect(Emulator.parseIdentity("system")).toEqual({ kind: "system" })
      expect(Emulator.parseIdentity("user:issuer=https://issuer,subject=sa")).toEqual({
        kind: "user",
        federatedCredentials: [{ issuer: "https://issuer", subject: "sa" }]
      })
      expect(Emulator.parseIdentity("user:color=blue")).toBeInstanceOf(Emulator.EmulatorOptionsError)
    })

    it("reads source names leniently", () => {
      expect(Emulator.parseSource("AzureArc")).toBe("arc")
      expect(Emulator.parseSource("app-service")).toBe("appservice")
      expect(Emulator.parseSource("WorkloadIdentity")).toBe("workloadidentity")
      expect(Emulator.parseSource("nope")).toBeUndefined()
    })
  })

  describe("IMDS", () => {
    it("answers like the documented sample: every number a string, refresh_token empty", async () => {
      const { status, json, headers } = await imds({ "api-version": "2018-02-01", resource: arm })
      expect(status).toBe(200)
      expect(headers["content-type"]).toBe("application/json; charset=utf-8")
      expect(Object.keys(json).sort()).toEqual(
        [
          "access_token",
          "client_id",
          "expires_in",
          "expires_on",
          "ext_expires_in",
          "not_before",
          "refresh_token",
          "resource",
          "token_type"
        ].sort()
      )
      expect(json).toMatchObject({
        client_id: system.clientId,
        expires_in: "3600",
        ext_expires_in: "3600",
        refresh_token: "",
        resource: arm,
        token_type: "Bearer"
      })
      for (const field of ["expires_on", "not_before"]) expect(json[field]).toMatch(/^\d+$/)
      expect(Number(json.expires_on) - Number(json.not_before)).toBe(3600)
    })

    it("issues RS256 tokens verifiable with the served JWKS, with Entra's managed-identity claims", async () => {
      const { json } = await imds({ "api-version": "2018-02-01", resource: arm })
      const jwks = await fetchJson(`${emulator.url}/.well-known/jwks.json`)
      expect(jwks.json).toEqual(emulator.jwks)
      const { valid, header, claims } = verifyToken(json.access_token, jwks.json.keys)
      expect(valid).toBe(true)
      expect(header.alg).toBe("RS256")
      expect(claims).toMatchObject({
        aud: arm,
        iss: `https://sts.windows.net/${emulator.tenantId}/`,
        oid: system.objectId,
        sub: system.objectId,
        appid: system.clientId,
        azp: system.clientId,
        tid: emulator.tenantId,
        idtyp: "app",
        ver: "1.0",
        xms_mirid: system.resourceId
      })
      // A system-assigned identity's xms_mirid is its host's resource id, not an identity's.
      expect(system.resourceId).toMatch(/\/providers\/Microsoft\.Compute\/virtualMachines\/[^/]+$/)
      expect(claims.iat).toBeTypeOf("number")
      expect(claims.exp - claims.iat).toBe(3600)
      expect(claims.nbf).toBe(claims.iat)
      const tampered = `${json.access_token.slice(0, -4)}AAAA`
      expect(verifyToken(tampered, jwks.json.keys).valid).toBe(false)
    })

    it("serves the JWKS at Entra's discovery paths too", async () => {
      for (const path of ["/discovery/keys", `/${emulator.tenantId}/discovery/v2.0/keys`, "/common/discovery/keys"]) {
        expect((await fetchJson(`${emulator.url}${path}`)).json).toEqual(emulator.jwks)
      }
    })

    it("accepts the path with a trailing slash", async () => {
      const response = await fetchJson(
        `${emulator.url}${imdsPath}/?${query({ "api-version": "2018-02-01", resource: arm })}`,
        { headers: { Metadata: "true" } }
      )
      expect(response.status).toBe(200)
    })

    it("answers a request without Metadata: true with Azure's 400, as it answers @azure/identity's probe", async () => {
      const body = { error: "invalid_request", error_description: "Required metadata header not specified" }
      expect(await imds({ "api-version": "2018-02-01", resource: arm }, {})).toMatchObject({ status: 400, json: body })
      expect(await imds({ "api-version": "2018-02-01", resource: arm }, { Metadata: "TRUE" })).toMatchObject({
        status: 400,
        json: body
      })
      // The probe: no query string and no Metadata header.
      expect(await fetchJson(`${emulator.url}${imdsPath}`, { headers: { Accept: "application/json" } })).toMatchObject({
        status: 400,
        json: body
      })
    })

    it("uses bad_request_102 for a missing Metadata header when asked to", async () => {
      const other = await Emulator.start({ missingMetadataError: "bad_request_102" })
      try {
        const response = await fetchJson(`${other.url}${imdsPath}?api-version=2018-02-01&resource=${arm}`)
        expect(response.json).toEqual({
          error: "bad_request_102",
          error_description: "Required metadata header not specified"
        })
      } finally {
        await other.close()
      }
    })

    it("requires api-version and resource", async () => {
      const noVersion = await imds({ resource: arm })
      expect(noVersion.status).toBe(400)
      expect(noVersion.json.error).toMatch(/^Bad request\. api-version was not specified/)
      const noResource = await imds({ "api-version": "2018-02-01" })
      expect(noResource).toMatchObject({
        status: 400,
        json: { error: "invalid_request", error_description: "Required query variable 'resource' is missing" }
      })
    })

    it("answers invalid_resource for a resource that is not a URI, or not in the allowed list", async () => {
      const bad = await imds({ "api-version": "2018-02-01", resource: "not a resource" })
      expect(bad.status).toBe(400)
      expect(bad.json.error).toBe("invalid_resource")
      expect(bad.json.error_description).toMatch(/^AADSTS500011: The resource principal named not a resource/)
      const strict = await Emulator.start({ resources: ["https://vault.azure.net"] })
      try {
        const url = (resource: string) => `${strict.url}${imdsPath}?${query({ "api-version": "2018-02-01", resource })}`
        expect((await fetchJson(url(arm), { headers: { Metadata: "true" } })).json.error).toBe("invalid_resource")
        expect((await fetchJson(url("https://vault.azure.net/"), { headers: { Metadata: "true" } })).status).toBe(200)
      } finally {
        await strict.close()
      }
    })

    it.each([
      ["client_id", user.clientId],
      ["object_id", user.objectId],
      ["msi_res_id", user.resourceId],
      ["msi_res_id", user.resourceId.toLowerCase()]
    ])("selects a user-assigned identity by %s", async (name, value) => {
      const { status, json } = await imds({ "api-version": "2018-02-01", resource: arm, [name]: value })
      expect(status).toBe(200)
      expect(json.client_id).toBe(user.clientId)
      expect(verifyToken(json.access_token, emulator.jwks.keys).claims).toMatchObject({
        aud: arm,
        appid: user.clientId,
        azp: user.clientId,
        oid: user.objectId,
        sub: user.objectId,
        idtyp: "app",
        tid: emulator.tenantId,
        xms_mirid: user.resourceId
      })
      expect(emulator.requests.last("imds")?.identity).toBe(user.clientId)
    })

    it("answers 400 Identity not found for an unknown identity", async () => {
      const { status, json } = await imds({ "api-version": "2018-02-01", resource: arm, client_id: "nobody" })
      expect(status).toBe(400)
      expect(json).toEqual({ error: "invalid_request", error_description: "Identity not found" })
    })

    it("without a system identity: the only user identity is the default, several are ambiguous", async () => {
      const host = await Emulator.start({ identities: [user] })
      try {
        const url = `${host.url}${imdsPath}?${query({ "api-version": "2018-02-01", resource: arm })}`
        const single = await fetchJson(url, { headers: { Metadata: "true" } })
        expect(single.json.client_id).toBe(user.clientId)
        host.identities.add("user:name=second")
        const several = await fetchJson(url, { headers: { Metadata: "true" } })
        expect(several).toMatchObject({
          status: 400,
          json: {
            error: "invalid_request",
            error_description:
              "Multiple user assigned identities exist, please specify the clientId / resourceId of the identity in the token request"
          }
        })
        expect(host.identities.remove(user.clientId)).toBe(true)
        expect(host.identities.remove("second")).toBe(true)
        expect((await fetchJson(url, { headers: { Metadata: "true" } })).json.error_description).toBe(
          "Identity not found"
        )
      } finally {
        await host.close()
      }
    })
  })

  describe("App Service", () => {
    const appService = (params: Record<string, string>, headers: Record<string, string>) =>
      fetchJson(`${emulator.url}/appservice/msi/token?${query(params)}`, { headers })

    it("2019-08-01: X-IDENTITY-HEADER, answers {access_token, expires_on, resource, token_type, client_id}", async () => {
      const { status, json } = await appService(
        { "api-version": "2019-08-01", resource: arm },
        { "X-IDENTITY-HEADER": emulator.secret }
      )
      expect(status).toBe(200)
      expect(Object.keys(json).sort()).toEqual(["access_token", "client_id", "expires_on", "resource", "token_type"])
      expect(json.expires_on).toMatch(/^\d+$/)
      expect(json.client_id).toBe(system.clientId)
      expect(verifyToken(json.access_token, emulator.jwks.keys).valid).toBe(true)
    })

    it("2019-08-01: 401 without the header or with a wrong one", async () => {
      const params = { "api-version": "2019-08-01", resource: arm }
      for (const headers of [{}, { "X-IDENTITY-HEADER": "wrong" }]) {
        const { status, json } = await appService(params, headers)
        expect(status).toBe(401)
        expect(json.statusCode).toBe(401)
        expect(typeof json.correlationId).toBe("string")
        expect(JSON.stringify(json)).not.toContain(emulator.secret)
      }
    })

    it.each([
      ["client_id", user.clientId],
      ["principal_id", user.objectId],
      ["object_id", user.objectId],
      ["mi_res_id", user.resourceId]
    ])("2019-08-01: selects a user-assigned identity by %s", async (name, value) => {
      const { json } = await appService(
        { "api-version": "2019-08-01", resource: arm, [name]: value },
        { "X-IDENTITY-HEADER": emulator.secret }
      )
      expect(json.client_id).toBe(user.clientId)
    })

    it("answers App Service's 400 for an unknown identity", async () => {
      const { status, json } = await appService(
        { "api-version": "2019-08-01", resource: arm, client_id: "nobody" },
        { "X-IDENTITY-HEADER": emulator.secret }
      )
      expect(status).toBe(400)
      expect(json).toMatchObject({ statusCode: 400, message: "Unable to load the proper Managed Identity." })
    })

    it("2017-09-01: header secret, id clientid, expires_on as a date string", async () => {
      const { status, json } = await appService(
        { "api-version": "2017-09-01", resource: arm, clientid: user.clientId },
        { secret: emulator.secret }
      )
      expect(status).toBe(200)
      expect(Object.keys(json).sort()).toEqual(["access_token", "expires_on", "resource", "token_type"])
      expect(json.expires_on).toMatch(/^\d{2}\/\d{2}\/\d{4} \d{2}:\d{2}:\d{2} (AM|PM) \+00:00$/)
      expect(verifyToken(json.access_token, emulator.jwks.keys).claims.appid).toBe(user.clientId)
      const wrong = await appService(
        { "api-version": "2017-09-01", resource: arm },
        { "X-IDENTITY-HEADER": emulator.secret }
      )
      expect(wrong.status).toBe(401)
    })

    it("rejects an unsupported api-version", async () => {
      const { status } = await appService(
        { "api-version": "2020-01-01", resource: arm },
        { "X-IDENTITY-HEADER": emulator.secret }
      )
      expect(status).toBe(400)
    })
  })

  describe("Azure ML", () => {
    it("2017-09-01 with secret and the DEFAULT_IDENTITY_CLIENT_ID of the system identity", async () => {
      const env = emulator.envFor("azureml")
      expect(env.DEFAULT_IDENTITY_CLIENT_ID).toBe(system.clientId)
      const url = `${env.MSI_ENDPOINT}?${query({ "api-version": "2017-09-01", resource: arm, clientid: system.clientId })}`
      const ok = await fetchJson(url, { headers: { secret: env.MSI_SECRET!, Metadata: "true" } })
      expect(ok.status).toBe(200)
      const expiresOn = ok.json.expires_on as string
      const match = /^(\d{2})\/(\d{2})\/(\d{4}) (\d{2}):(\d{2}):(\d{2}) (AM|PM) \+00:00$/.exec(expiresOn)!
      const [, month, day, year, hour, minute, second, half] = match.map(String)
      const hours24 = (Number(hour) % 12) + (half === "PM" ? 12 : 0)
      const parsed = Date.UTC(Number(year), Number(month) - 1, Number(day), hours24, Number(minute), Number(second))
      expect(parsed / 1000).toBe(verifyToken(ok.json.access_token, emulator.jwks.keys).claims.exp)
      expect((await fetchJson(url, { headers: { secret: "wrong" } })).status).toBe(401)
    })

    it("sends expires_on as epoch seconds when configured", async () => {
      const ml = await Emulator.start({ legacyExpiresOn: "seconds" })
      try {
        const env = ml.envFor("azureml")
        const { json } = await fetchJson(`${env.MSI_ENDPOINT}?api-version=2017-09-01&resource=${arm}`, {
          headers: { secret: ml.secret }
        })
        expect(json.expires_on).toMatch(/^\d+$/)
      } finally {
        await ml.close()
      }
    })
  })

  describe("Cloud Shell", () => {
    const cloudShell = (body: string, headers: Record<string, string> = { Metadata: "true" }, method = "POST") =>
      fetchJson(emulator.envFor("cloudshell").MSI_ENDPOINT!, {
        method,
        body,
        headers: { "Content-Type": "application/x-www-form-urlencoded", ...headers }
      })

    it("POST form resource with Metadata: true", async () => {
      const { status, json } = await cloudShell(`resource=${encodeURIComponent(arm)}`)
      expect(status).toBe(200)
      expect(json).toMatchObject({ resource: arm, token_type: "Bearer", expires_in: "3600" })
      expect(emulator.requests.last("cloudshell")?.form).toEqual({ resource: arm })
    })

    it("requires POST, the Metadata header and a system identity", async () => {
      expect((await cloudShell("", { Metadata: "true" }, "GET")).status).toBe(405)
      expect((await cloudShell(`resource=${arm}`, {})).json.error_description).toBe(
        "Required metadata header not specified"
      )
      expect((await cloudShell(`resource=${arm}&client_id=${user.clientId}`)).status).toBe(400)
    })
  })

  describe("Azure Arc", () => {
    const arc = (headers: Record<string, string>) =>
      fetchRaw(`${emulator.envFor("arc").IDENTITY_ENDPOINT}?${query({ "api-version": "2020-06-01", resource: arm })}`, {
        headers
      })

    it("challenges with a key file in the key directory, then accepts its contents as Basic credentials", async () => {
      const challenge = await arc({ Metadata: "true" })
      expect(challenge.status).toBe(401)
      const realm = /^Basic realm=(.+)$/.exec(String(challenge.headers["www-authenticate"]))?.[1]
      expect(realm).toBeDefined()
      expect(dirname(realm!)).toBe(emulator.keyDirectory)
      expect(realm).toMatch(/\.key$/)
      expect(statSync(realm!).size).toBeLessThanOrEqual(4096)
      const secret = readFileSync(realm!, "utf8")
      const ok = await arc({ Metadata: "true", Authorization: `Basic ${secret}` })
      expect(ok.status).toBe(200)
      expect(JSON.parse(ok.body)).toMatchObject({ resource: arm, token_type: "Bearer", client_id: system.clientId })
      expect((await arc({ Metadata: "true", Authorization: "Basic wrong" })).status).toBe(401)
      expect(JSON.stringify(emulator.requests.all("arc"))).not.toContain(secret)
    })

    it("requires Metadata: true", async () => {
      const response = await arc({})
      expect(response.status).toBe(400)
      expect(JSON.parse(response.body).error_description).toBe("Required metadata header not specified")
    })
  })

  describe("Service Fabric", () => {
    const env = () => emulator.envFor("servicefabric")
    const serviceFabric = (params: Record<string, string>, headers: Record<string, string>) =>
      fetchJson(`${env().IDENTITY_ENDPOINT}?${query(params)}`, { headers, ca: emulator.certificate })

    it("serves HTTPS with a self-signed certificate whose SHA-1 thumbprint is exposed", async () => {
      expect(env().IDENTITY_ENDPOINT).toMatch(/^https:\/\/127\.0\.0\.1:\d+\//)
      const fingerprint = new X509Certificate(emulator.certificate).fingerprint.replace(/:/g, "")
      expect(emulator.thumbprint).toBe(fingerprint)
      expect(emulator.thumbprint).toMatch(/^[0-9A-F]{40}$/)
      expect(env().IDENTITY_SERVER_THUMBPRINT).toBe(emulator.thumbprint)
      // Without trusting the certificate, TLS verification fails: it is really self-signed.
      const untrusted = await send(`${env().IDENTITY_ENDPOINT}?api-version=2019-07-01-preview&resource=${arm}`)
      expect(isResponse(untrusted)).toBe(false)
    })

    it("answers {token_type, access_token, expires_on (number), resource}", async () => {
      const { status, json } = await serviceFabric(
        { "api-version": "2019-07-01-preview", resource: arm },
        { secret: emulator.secret }
      )
      expect(status).toBe(200)
      expect(typeof json.expires_on).toBe("number")
      expect(json).toMatchObject({ token_type: "Bearer", resource: arm })
      expect(verifyToken(json.access_token, emulator.jwks.keys).valid).toBe(true)
    })

    it("answers Service Fabric's errors for a missing secret, a wrong api-version or resource", async () => {
      const noSecret = await serviceFabric({ "api-version": "2019-07-01-preview", resource: arm }, {})
      expect(noSecret.status).toBe(400)
      expect(noSecret.json.error.code).toBe("SecretHeaderNotFound")
      const wrongSecret = await serviceFabric({ "api-version": "2019-07-01-preview", resource: arm }, { secret: "x" })
      expect(wrongSecret.status).toBe(401)
      const version = await serviceFabric({ "api-version": "2019-08-01", resource: arm }, { secret: emulator.secret })
      expect(version.json.error.code).toBe("InvalidApiVersion")
      const resource = await serviceFabric({ "api-version": "2019-07-01-preview" }, { secret: emulator.secret })
      expect(resource.json.error.code).toBe("ArgumentNullOrEmpty")
    })
  })

  describe("Entra token endpoint (workload identity)", () => {
    const jwtBearer = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
    const exchange = (assertion: string, overrides: Record<string, string> = {}, tenant = emulator.tenantId) =>
      fetchJson(`${emulator.url}/${tenant}/oauth2/v2.0/token`, {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
        body: query({
          grant_type: "client_credentials",
          client_id: user.clientId,
          scope: "https://vault.azure.net/.default",
          client_assertion_type: jwtBearer,
          client_assertion: assertion,
          ...overrides
        })
      })

    it("exchanges the federated token file for an Entra-shaped token response", async () => {
      const path = await emulator.writeFederatedTokenFile()
      const assertion = readFileSync(path, "utf8")
      const { status, json } = await exchange(assertion)
      expect(status).toBe(200)
      expect(Object.keys(json).sort()).toEqual(["access_token", "expires_in", "ext_expires_in", "token_type"])
      expect(json).toMatchObject({ token_type: "Bearer", expires_in: 3600, ext_expires_in: 3600 })
      const { valid, claims } = verifyToken(json.access_token, emulator.jwks.keys)
      expect(valid).toBe(true)
      expect(claims).toMatchObject({ aud: "https://vault.azure.net", appid: user.clientId, tid: emulator.tenantId })
      const recorded = emulator.requests.last("entra")
      expect(recorded?.form?.client_assertion).toBe("[REDACTED]")
      expect(JSON.stringify(emulator.requests.all())).not.toContain(assertion)
    })

    it("answers AADSTS errors: unknown client, tenant, grant, scope", async () => {
      const assertion = emulator.mintFederatedToken()
      const unknown = await exchange(assertion, { client_id: "nobody" })
      expect(unknown.status).toBe(400)
      expect(unknown.json).toMatchObject({ error: "unauthorized_client", error_codes: [700016] })
      expect(unknown.json.error_description).toMatch(/^AADSTS700016: /)
      expect(unknown.json.error_uri).toBe("https://login.microsoftonline.com/error?code=700016")
      expect((await exchange(assertion, {}, "other-tenant")).json.error_codes).toEqual([90002])
      expect((await exchange(assertion, { grant_type: "password" })).json.error).toBe("unsupported_grant_type")
      expect((await exchange(assertion, { scope: "https://vault.azure.net" })).json.error_codes).toEqual([1002012])
      expect((await exchange(assertion, { client_assertion: "" })).json.error_codes).toEqual([7000216])
    })

    it("rejects malformed, tampered, foreign and expired assertions", async () => {
      expect((await exchange("not-a-jwt")).json.error_codes).toEqual([50027])
      const good = emulator.mintFederatedToken()
      const tampered = `${good.slice(0, -6)}AAAAAA`
      expect((await exchange(tampered)).json.error_codes).toEqual([700027])
      const wrongAudience = emulator.mintFederatedToken({ audience: "api://other" })
      expect((await exchange(wrongAudience)).json.error_codes).toEqual([70021])
      const expired = emulator.mintFederatedToken({ lifetimeSeconds: -10 })
      expect((await exchange(expired)).json.error_codes).toEqual([700024])
    })

    it("matches configured federated credentials on issuer, subject and audience", async () => {
      const issuer = "https://oidc.example.invalid/cluster"
      const federated = emulator.identities.add({
        kind: "user",
        name: "federated",
        federatedCredentials: [{ issuer, subject: "system:serviceaccount:apps:web" }]
      })
      const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url")
      const nowSeconds = Math.floor(Date.now() / 1000)
      const foreign = (sub: string) =>
        `${encode({ alg: "RS256", typ: "JWT" })}.${encode({ iss: issuer, sub, aud: ["api://AzureADTokenExchange"], exp: nowSeconds + 600, nbf: nowSeconds })}.c2ln`
      try {
        expect(
          (await exchange(foreign("system:serviceaccount:apps:web"), { client_id: federated.clientId })).status
        ).toBe(200)
        const other = await exchange(foreign("system:serviceaccount:apps:other"), { client_id: federated.clientId })
        expect(other.json.error_codes).toEqual([70021])
        // An emulator-issued token does not match this identity's credentials either.
        expect((await exchange(emulator.mintFederatedToken(), { client_id: federated.clientId })).status).toBe(400)
      } finally {
        emulator.identities.remove(federated.clientId)
      }
    })

    it("serves OpenID and instance discovery pointing at itself", async () => {
      const config = await fetchJson(`${emulator.url}/${emulator.tenantId}/v2.0/.well-known/openid-configuration`)
      expect(config.json.token_endpoint).toBe(`${emulator.url}/${emulator.tenantId}/oauth2/v2.0/token`)
      const keys = await fetchJson(config.json.jwks_uri)
      expect(keys.json).toEqual(emulator.jwks)
      const instance = await fetchJson(`${emulator.url}/common/discovery/instance`)
      expect(instance.json.metadata[0].aliases).toEqual([new URL(emulator.url).host])
      const issuer = await fetchJson(`${emulator.federatedIssuer}/.well-known/openid-configuration`)
      expect(issuer.json.issuer).toBe(emulator.federatedIssuer)
    })

    it("writes a federated token file to a given path", async () => {
      const path = `${emulator.keyDirectory}/../custom-token`
      await emulator.writeFederatedTokenFile(path, { subject: "system:serviceaccount:ns:sa" })
      const claims = verifyToken(readFileSync(path, "utf8"), emulator.jwks.keys).claims
      expect(claims).toMatchObject({ sub: "system:serviceaccount:ns:sa", iss: emulator.federatedIssuer })
    })
  })

  describe("environment", () => {
    it("points every source at 127.0.0.1", () => {
      for (const source of Emulator.sources) {
        const env = emulator.envFor(source)
        const urls = Object.entries(env).filter(([name]) => /ENDPOINT|HOST/.test(name))
        expect(urls.length).toBeGreaterThan(0)
        for (const [, value] of urls) expect(new URL(value).hostname).toBe("127.0.0.1")
      }
      expect(emulator.env).toEqual({ AZURE_POD_IDENTITY_AUTHORITY_HOST: emulator.url })
      expect(emulator.envFor("appservice")).toEqual({
        IDENTITY_ENDPOINT: `${emulator.url}/appservice/msi/token`,
        IDENTITY_HEADER: emulator.secret
      })
      expect(emulator.envFor("arc")).toEqual({
        IDENTITY_ENDPOINT: `${emulator.url}/arc/metadata/identity/oauth2/token`,
        IMDS_ENDPOINT: `${emulator.url}/arc`
      })
      expect(emulator.envFor("cloudshell")).toEqual({ MSI_ENDPOINT: `${emulator.url}/cloudshell/oauth2/token` })
    })

    it("writes the federated token file for workload identity", () => {
      const env = emulator.envFor("workloadidentity")
      expect(env).toMatchObject({
        AZURE_AUTHORITY_HOST: emulator.url,
        AZURE_CLIENT_ID: system.clientId,
        AZURE_TENANT_ID: emulator.tenantId
      })
      expect(existsSync(env.AZURE_FEDERATED_TOKEN_FILE!)).toBe(true)
    })
  })

  describe("request log", () => {
    it("records every request with secret headers redacted, and counts per endpoint", async () => {
      await fetchRaw(`${emulator.url}/appservice/msi/token?api-version=2019-08-01&resource=${arm}`, {
        headers: { "X-IDENTITY-HEADER": emulator.secret }
      })
      await fetchRaw(`${emulator.url}/appservice/msi/token?api-version=2017-09-01&resource=${arm}`, {
        headers: { secret: emulator.secret, Authorization: "Bearer abc.def.ghi" }
      })
      await imds({ "api-version": "2018-02-01", resource: arm }, {})
      const entries = emulator.requests.all()
      expect(entries.map((entry) => [entry.endpoint, entry.status, entry.outcome])).toEqual([
        ["appservice", 200, "answered"],
        ["appservice", 200, "answered"],
        ["imds", 400, "answered"]
      ])
      expect(entries[0]?.headers["x-identity-header"]).toBe("[REDACTED]")
      expect(entries[1]?.headers.secret).toBe("[REDACTED]")
      expect(entries[1]?.headers.authorization).toBe("[REDACTED]")
      expect(entries[0]?.query).toEqual({ "api-version": "2019-08-01", resource: arm })
      expect(entries[0]?.identity).toBe(system.clientId)
      const serialized = JSON.stringify(entries)
      expect(serialized).not.toContain(emulator.secret)
      expect(serialized).not.toContain("abc.def.ghi")
      expect(emulator.requests.counters()).toEqual({
        appservice: { total: 2, faulted: 0, byStatus: { "200": 2 } },
        imds: { total: 1, faulted: 0, byStatus: { "400": 1 } }
      })
      expect(emulator.requests.count("imds")).toBe(1)
      emulator.requests.clear()
      expect(emulator.requests.all()).toEqual([])
      expect(emulator.requests.counters()).toEqual({})
    })

    it("records unknown paths as 404s", async () => {
      const response = await fetchJson(`${emulator.url}/nothing/here`)
      expect(response.status).toBe(404)
      expect(emulator.requests.last()?.endpoint).toBe("unknown")
    })
  })

  describe("admin API", () => {
    // State-changing calls must say JSON, even without a body (see AdminApi.test.ts).
    const admin = (path: string, method = "GET", body?: unknown) =>
      fetchJson(`${emulator.url}/admin${path}`, {
        method,
        ...(method === "GET" ? {} : { headers: { "Content-Type": "application/json" } }),
        ...(body === undefined ? {} : { body: JSON.stringify(body) })
      })

    it("installs, lists and clears faults", async () => {
      const added = await admin("/faults", "POST", { spec: "imds:410x2" })
      expect(added.status).toBe(201)
      expect(added.json.faults[0]).toMatchObject({ spec: "imds:410x2", remaining: 2 })
      expect((await admin("/faults")).json.faults).toHaveLength(1)
      expect((await imds({ "api-version": "2018-02-01", resource: arm })).status).toBe(410)
      expect((await admin("/faults")).json.faults[0]).toMatchObject({ hits: 1, remaining: 1 })
      expect((await admin("/faults", "DELETE")).json.faults).toEqual([])
      expect((await imds({ "api-version": "2018-02-01", resource: arm })).status).toBe(200)
    })

    it("accepts several specs, removes one fault by id and rejects bad specs", async () => {
      const added = await admin("/faults", "POST", { specs: ["appservice:503@0.5", "imds:latency=1"] })
      expect(added.json.faults.map((fault: { spec: string }) => fault.spec)).toEqual([
        "appservice:503@0.5",
        "imds:latency=1"
      ])
      expect((await admin(`/faults/${added.json.faults[0].id}`, "DELETE")).status).toBe(200)
      expect(emulator.faults.list().map((fault) => fault.spec)).toEqual(["imds:latency=1"])
      expect((await admin("/faults/f999", "DELETE")).status).toBe(404)
      const bad = await admin("/faults", "POST", { spec: "imds:teapot" })
      expect(bad.status).toBe(400)
      expect(bad.json.message).toMatch(/unknown action/)
      const refuse = await admin("/faults", "POST", { spec: "imds:refuse" })
      expect(refuse.status).toBe(400)
      expect(refuse.json.message).toMatch(/window/)
    })

    it("answers a refusal it installs, and the port listens again after the window", async () => {
      const added = await admin("/faults", "POST", { spec: "imds:refuse~300ms" })
      expect(added.status).toBe(201)
      expect(await send(`${emulator.url}${imdsPath}`)).toEqual({ error: "ECONNREFUSED" })
      await expect
        .poll(
          async () => {
            const result = await send(`${emulator.url}${imdsPath}`)
            return isResponse(result) ? result.status : result.error
          },
          { timeout: 5_000, interval: 50 }
        )
        .toBe(400)
    })

    it("reads and clears the request log, without recording itself", async () => {
      await imds({ "api-version": "2018-02-01", resource: arm })
      const log = await admin("/requests")
      expect(log.json.requests).toHaveLength(1)
      expect(log.json.counters).toEqual({ imds: { total: 1, faulted: 0, byStatus: { "200": 1 } } })
      expect((await admin("/requests?endpoint=appservice")).json.requests).toEqual([])
      await admin("/requests", "DELETE")
      expect(emulator.requests.all()).toEqual([])
    })

    it("adds identities, prints the environment and mints federated tokens", async () => {
      const added = await admin("/identities", "POST", { spec: "user:clientId=33333333-3333-3333-3333-333333333333" })
      expect(added.status).toBe(201)
      const selected = await imds({
        "api-version": "2018-02-01",
        resource: arm,
        client_id: "33333333-3333-3333-3333-333333333333"
      })
      expect(selected.status).toBe(200)
      expect((await admin("/identities/33333333-3333-3333-3333-333333333333", "DELETE")).status).toBe(200)
      expect((await admin("/identities", "POST", { spec: "robot" })).status).toBe(400)
      expect((await admin("/env?source=AppService")).json.env).toEqual(emulator.envFor("appservice"))
      const minted = await admin("/federated-token", "POST", {})
      expect(verifyToken(minted.json.token, emulator.jwks.keys).valid).toBe(true)
      expect(emulator.requests.all()).toHaveLength(1)
    })
  })
})

describe("Emulator.close", () => {
  it("ends hung connections, deletes its files and frees the port", async () => {
    const emulator = await Emulator.start({ faults: ["imds:blackhole"] })
    const hung = send(`${emulator.url}${imdsPath}?api-version=2018-02-01&resource=${arm}`, {
      headers: { Metadata: "true" }
    })
    const challenge = await fetchRaw(
      `${emulator.envFor("arc").IDENTITY_ENDPOINT}?api-version=2020-06-01&resource=${arm}`,
      {
        headers: { Metadata: "true" }
      }
    )
    const keyFile = /realm=(.+)$/.exec(String(challenge.headers["www-authenticate"]))![1]!
    expect(existsSync(keyFile)).toBe(true)
    await expect.poll(() => emulator.requests.last("imds")?.outcome).toBe("pending")
    await emulator.close()
    const result = await hung
    expect(isResponse(result)).toBe(false)
    expect(existsSync(keyFile)).toBe(false)
    expect(existsSync(emulator.keyDirectory)).toBe(false)
    const after = await send(`${emulator.url}${imdsPath}`)
    expect(after).toEqual({ error: "ECONNREFUSED" })
    await emulator.close()
  })
})
