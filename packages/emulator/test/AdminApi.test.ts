/**
 * The admin API against a browser's attacks, over real HTTP on loopback (node:http, since fetch
 * cannot set `Host`): DNS rebinding (a foreign `Host`), cross-origin scripting (a foreign `Origin`,
 * "simple" `text/plain` and form posts, CORS preflights) and no-cors sub-resource requests; while
 * the emulated endpoints keep answering as Azure's do, whatever the `Host` or `Origin`.
 */
import { connect } from "node:net"
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest"
import { Emulator } from "../src/index.js"
import { fetchJson, fetchRaw, type RawResponse } from "./loopback.js"

const arm = "https://management.azure.com/"
const imdsPath = "/metadata/identity/oauth2/token"

describe("admin API: Host, Origin and content type", () => {
  let emulator: Emulator.Emulator
  const logged: Array<string> = []

  beforeAll(async () => {
    emulator = await Emulator.start({ log: (line) => logged.push(line) })
  })
  afterAll(() => emulator.close())
  beforeEach(() => {
    emulator.faults.clear()
    emulator.requests.clear()
    logged.length = 0
  })

  const admin = (path: string, options: { method?: string; headers?: Record<string, string>; body?: string } = {}) =>
    fetchRaw(`${emulator.url}/admin${path}`, options)
  const jsonOf = (response: RawResponse) => JSON.parse(response.body) as Record<string, any>
  const accessControlHeaders = (response: RawResponse) =>
    Object.keys(response.headers).filter((name) => name.startsWith("access-control-"))
  const json = { "content-type": "application/json" }
  /** Sends bytes as they are and reads until the server closes. */
  const rawExchange = (bytes: Buffer) =>
    new Promise<string>((resolve, reject) => {
      const socket = connect(emulator.port, "127.0.0.1", () => socket.write(bytes))
      let text = ""
      socket.setEncoding("latin1")
      socket.on("data", (chunk: string) => {
        text += chunk
        // One response is enough; keep-alive would hold the socket open.
        if (/\r\n\r\n[\s\S]*\}$/.test(text)) socket.end()
      })
      socket.on("end", () => resolve(text))
      socket.on("error", reject)
    })

  describe("Host", () => {
    it("refuses a DNS-rebound Host with 421 and does not leak IDENTITY_HEADER", async () => {
      for (const host of ["attacker.example", `attacker.example:${emulator.port}`, "127.0.0.1.nip.io"]) {
        const response = await admin("/env?source=appservice", { headers: { host } })
        expect(response.status).toBe(421)
        expect(response.body).not.toContain(emulator.secret)
        expect(jsonOf(response)).toMatchObject({ error: "misdirected_request" })
        expect(jsonOf(response).message).toContain(`127.0.0.1:${emulator.port}`)
      }
      expect(logged).toHaveLength(3)
      expect(logged[0]).toMatch(/refused GET \/admin\/env \(421\).*attacker\.example/)
      for (const line of logged) expect(line).not.toContain(emulator.secret)
    })

    it("refuses to mint a federated token or install a fault for a foreign Host", async () => {
      const minted = await admin("/federated-token", {
        method: "POST",
        headers: { host: `attacker.example:${emulator.port}`, ...json },
        body: "{}"
      })
      expect(minted.status).toBe(421)
      expect(minted.body).not.toMatch(/eyJ/)
      const fault = await admin("/faults", {
        method: "POST",
        headers: { host: "attacker.example", ...json },
        body: JSON.stringify({ spec: "imds:503" })
      })
      expect(fault.status).toBe(421)
      expect(emulator.faults.list()).toEqual([])
    })

    it("refuses the right name on the wrong port, another loopback name, and the HTTPS port's Host on HTTP", async () => {
      for (const host of [
        "127.0.0.1",
        `127.0.0.1:${emulator.port + 1}`,
        `127.0.0.2:${emulator.port}`,
        `[::1]:${emulator.port}`,
        `localhost.:${emulator.port}`,
        `127.0.0.1:${emulator.httpsPort}`
      ]) {
        expect((await admin("", { headers: { host } })).status, host).toBe(421)
      }
    })

    it("accepts 127.0.0.1 and localhost with its port, in any case", async () => {
      for (const host of [`127.0.0.1:${emulator.port}`, `localhost:${emulator.port}`, `LocalHost:${emulator.port}`]) {
        const response = await admin("/env?source=appservice", { headers: { host } })
        expect(response.status, host).toBe(200)
        expect(jsonOf(response).env).toEqual(emulator.envFor("appservice"))
      }
    })

    it("refuses an HTTP/1.0 request without a Host", async () => {
      const answer = await rawExchange(Buffer.from("GET /admin/env?source=appservice HTTP/1.0\r\n\r\n"))
      expect(answer).toMatch(/^HTTP\/1\.1 421 /)
      expect(answer).not.toContain(emulator.secret)
    })

    it("refuses two Host headers", async () => {
      const answer = await rawExchange(
        Buffer.from(`GET /admin HTTP/1.1\r\nHost: 127.0.0.1:${emulator.port}\r\nHost: attacker.example\r\n\r\n`)
      )
      expect(answer).toMatch(/^HTTP\/1\.1 421 /)
    })

    it("logs a hostile Host without its control characters", async () => {
      // C1 CSI (0x9b) and a soft hyphen (0xad), which node's own client refuses to send: a raw request.
      const host = Buffer.concat([
        Buffer.from("evil"),
        Buffer.from([0x9b, 0x33, 0x31, 0x6d, 0xad]),
        Buffer.from(".example")
      ])
      const request = Buffer.concat([
        Buffer.from("GET /admin HTTP/1.1\r\nHost: "),
        host,
        Buffer.from("\r\nConnection: close\r\n\r\n")
      ])
      expect(await rawExchange(request)).toMatch(/^HTTP\/1\.1 421 /)
      expect(logged).toHaveLength(1)
      expect(logged[0]).toContain('Host "evil?31m?.example"')
      expect(logged[0]).toMatch(/^[\x20-\x7e]+$/)
    })
  })

  describe("Origin", () => {
    it("refuses a foreign Origin with 403, reads included", async () => {
      for (const origin of [
        "http://attacker.example",
        `http://attacker.example:${emulator.port}`,
        "null",
        `http://127.0.0.1:${emulator.port + 1}`,
        `https://127.0.0.1:${emulator.port}`
      ]) {
        const response = await admin("/env?source=appservice", { headers: { origin } })
        expect(response.status, origin).toBe(403)
        expect(jsonOf(response)).toMatchObject({ error: "forbidden_origin" })
        expect(response.body).not.toContain(emulator.secret)
        expect(accessControlHeaders(response)).toEqual([])
      }
    })

    it("refuses a cross-origin JSON fault with 403 and installs nothing", async () => {
      const response = await admin("/faults", {
        method: "POST",
        headers: { origin: "http://attacker.example", ...json },
        body: JSON.stringify({ spec: "imds:503" })
      })
      expect(response.status).toBe(403)
      expect(emulator.faults.list()).toEqual([])
      expect(logged.some((line) => /refused POST \/admin\/faults \(403\).*attacker\.example/.test(line))).toBe(true)
    })

    it("refuses a no-cors request a page sends without an Origin (an <img> or <script>)", async () => {
      const response = await admin("/env?source=workloadidentity", { headers: { "sec-fetch-site": "cross-site" } })
      expect(response.status).toBe(403)
      expect((await admin("", { headers: { "sec-fetch-site": "same-site" } })).status).toBe(403)
      // Typed into the address bar, or from the emulator's own pages.
      expect((await admin("", { headers: { "sec-fetch-site": "none" } })).status).toBe(200)
      expect((await admin("", { headers: { "sec-fetch-site": "same-origin" } })).status).toBe(200)
    })

    it("accepts its own origins", async () => {
      for (const origin of [`http://127.0.0.1:${emulator.port}`, `http://LOCALHOST:${emulator.port}`]) {
        const response = await admin("/faults", {
          method: "POST",
          headers: { origin, ...json },
          body: JSON.stringify({ spec: "appservice:503x1" })
        })
        expect(response.status, origin).toBe(201)
      }
      expect(emulator.faults.list()).toHaveLength(2)
    })

    it("answers a CORS preflight with no Access-Control-Allow-* headers", async () => {
      const foreign = await admin("/faults", {
        method: "OPTIONS",
        headers: {
          origin: "http://attacker.example",
          "access-control-request-method": "POST",
          "access-control-request-headers": "content-type"
        }
      })
      expect(foreign.status).toBe(403)
      expect(accessControlHeaders(foreign)).toEqual([])
      const own = await admin("/faults", {
        method: "OPTIONS",
        headers: { origin: emulator.url, "access-control-request-method": "DELETE" }
      })
      expect(own.status).toBe(204)
      expect(accessControlHeaders(own)).toEqual([])
    })
  })

  describe("content type of state-changing calls", () => {
    it("refuses a text/plain POST (a simple cross-origin request) with 415 and installs no fault", async () => {
      const response = await admin("/faults", {
        method: "POST",
        headers: { "content-type": "text/plain;charset=UTF-8" },
        body: "imds:503"
      })
      expect(response.status).toBe(415)
      expect(jsonOf(response)).toMatchObject({ error: "unsupported_media_type" })
      expect(emulator.faults.list()).toEqual([])
      const token = await fetchJson(`${emulator.url}${imdsPath}?api-version=2018-02-01&resource=${arm}`, {
        headers: { Metadata: "true" }
      })
      expect(token.status).toBe(200)
    })

    it("refuses a form-encoded or multipart POST, and one with no content type", async () => {
      for (const contentType of ["application/x-www-form-urlencoded", "multipart/form-data; boundary=x", undefined]) {
        const response = await admin("/faults", {
          method: "POST",
          headers: contentType === undefined ? {} : { "content-type": contentType },
          body: contentType === undefined ? JSON.stringify({ spec: "imds:503" }) : "spec=imds%3A503"
        })
        expect(response.status, String(contentType)).toBe(415)
      }
      const minted = await admin("/federated-token", {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: "subject=x"
      })
      expect(minted.status).toBe(415)
      expect(emulator.faults.list()).toEqual([])
    })

    it("refuses a DELETE without the JSON content type", async () => {
      emulator.faults.add("imds:503")
      expect((await admin("/faults", { method: "DELETE" })).status).toBe(415)
      expect(emulator.faults.list()).toHaveLength(1)
      expect((await admin("/faults", { method: "DELETE", headers: json })).status).toBe(200)
      expect(emulator.faults.list()).toEqual([])
    })

    it("refuses a JSON content type whose body is not JSON", async () => {
      const response = await admin("/faults", { method: "POST", headers: json, body: "imds:503" })
      expect(response.status).toBe(400)
      expect(jsonOf(response).message).toMatch(/JSON/)
      expect(emulator.faults.list()).toEqual([])
    })

    it("accepts application/json with parameters and reads need no content type", async () => {
      const response = await admin("/faults", {
        method: "POST",
        headers: { "content-type": "Application/JSON; charset=utf-8" },
        body: JSON.stringify({ specs: ["imds:410x1", "appservice:503x1"] })
      })
      expect(response.status).toBe(201)
      expect((await admin("/faults")).status).toBe(200)
      expect(jsonOf(await admin("/faults")).faults).toHaveLength(2)
    })
  })

  describe("the emulated endpoints keep Azure's behaviour", () => {
    const hostile = { host: "attacker.example", origin: "http://attacker.example", "sec-fetch-site": "cross-site" }

    it("IMDS answers whatever the Host or Origin, and still requires Metadata: true", async () => {
      const url = `${emulator.url}${imdsPath}?api-version=2018-02-01&resource=${arm}`
      const token = await fetchJson(url, { headers: { ...hostile, Metadata: "true" } })
      expect(token.status).toBe(200)
      expect(token.json.access_token).toBeTypeOf("string")
      expect(Object.keys(token.headers).filter((name) => name.startsWith("access-control-"))).toEqual([])
      const withoutMetadata = await fetchJson(url, { headers: hostile })
      expect(withoutMetadata.status).toBe(400)
      expect(withoutMetadata.json.error).toBe("invalid_request")
    })

    it("App Service answers whatever the Host or Origin, and still requires its secret header", async () => {
      const { IDENTITY_ENDPOINT, IDENTITY_HEADER } = emulator.envFor("appservice")
      const url = `${IDENTITY_ENDPOINT}?api-version=2019-08-01&resource=${arm}`
      expect((await fetchJson(url, { headers: { ...hostile, "x-identity-header": IDENTITY_HEADER! } })).status).toBe(
        200
      )
      expect((await fetchJson(url, { headers: hostile })).status).toBe(401)
    })

    it("the JWKS and Entra's token endpoint answer whatever the Host or Origin", async () => {
      const jwks = await fetchJson(`${emulator.url}/.well-known/jwks.json`, { headers: hostile })
      expect(jwks.status).toBe(200)
      expect(jwks.json).toEqual(emulator.jwks)
      const system = emulator.identities.systemAssigned()!
      const form = new URLSearchParams({
        grant_type: "client_credentials",
        client_id: system.clientId,
        scope: `${arm}.default`,
        client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        client_assertion: emulator.mintFederatedToken()
      })
      const token = await fetchJson(`${emulator.url}/${emulator.tenantId}/oauth2/v2.0/token`, {
        method: "POST",
        headers: { ...hostile, "content-type": "application/x-www-form-urlencoded" },
        body: form.toString()
      })
      expect(token.status).toBe(200)
      expect(token.json.access_token).toBeTypeOf("string")
    })
  })

  describe("the HTTPS port", () => {
    it("takes its own port's Host and refuses the HTTP port's", async () => {
      const ca = emulator.certificate
      const url = `${emulator.httpsUrl}/admin/env?source=appservice`
      expect((await fetchRaw(url, { ca })).status).toBe(200)
      const foreign = await fetchRaw(url, { ca, headers: { host: `127.0.0.1:${emulator.port}` } })
      expect(foreign.status).toBe(421)
      expect(foreign.body).not.toContain(emulator.secret)
    })
  })
})
