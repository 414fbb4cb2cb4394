import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest"
import { Emulator, Fault } from "../src/index.js"
import { fetchJson, fetchRaw, isResponse, send } from "./loopback.js"

const arm = "https://management.azure.com/"
const imdsPath = "/metadata/identity/oauth2/token"

describe("Fault.parse", () => {
  it.each<[string, Fault.FaultDefinition]>([
    ["imds:410x2", { target: "imds", action: { kind: "status", status: 410 }, times: 2 }],
    ["imds:503@0.16", { target: "imds", action: { kind: "status", status: 503 }, probability: 0.16 }],
    ["imds:410~70s", { target: "imds", action: { kind: "status", status: 410 }, durationMs: 70_000 }],
    ["imds:latency=2000", { target: "imds", action: { kind: "latency", ms: 2000 } }],
    ["arc:latency=250x3", { target: "arc", action: { kind: "latency", ms: 250 }, times: 3 }],
    [
      "imds:429,retry-after=5x3",
      { target: "imds", action: { kind: "status", status: 429, retryAfterSeconds: 5 }, times: 3 }
    ],
    ["*:reset", { target: "*", action: { kind: "reset" } }],
    ["imds:refuse~500ms", { target: "imds", action: { kind: "refuse" }, durationMs: 500 }],
    ["entra:blackhole@0.5", { target: "entra", action: { kind: "blackhole" }, probability: 0.5 }],
    ["appservice:truncate", { target: "appservice", action: { kind: "truncate" } }],
    ["azureml:malformed", { target: "azureml", action: { kind: "malformed" } }],
    ["cloudshell:html", { target: "cloudshell", action: { kind: "html", status: 502 } }],
    ["servicefabric:html=503", { target: "servicefabric", action: { kind: "html", status: 503 } }],
    ["imds:slow=1000~2m", { target: "imds", action: { kind: "slow", ms: 1000 }, durationMs: 120_000 }],
    ["imds:oversized", { target: "imds", action: { kind: "oversized" } }],
    ["imds:throttle=5", { target: "imds", action: { kind: "throttle", perSecond: 5 } }],
    ["imds:reply=403x1", { target: "imds", action: { kind: "reply", status: 403 }, times: 1 }],
    [
      "imds?client_id=abc:503x2",
      { target: "imds", action: { kind: "status", status: 503 }, times: 2, params: { client_id: "abc" } }
    ],
    [
      "cloudshell?resource=https%3A%2F%2Fvault.azure.net&x=1:reply=200",
      {
        target: "cloudshell",
        action: { kind: "reply", status: 200 },
        params: { resource: "https://vault.azure.net", x: "1" }
      }
    ]
  ])("%s", (spec, expected) => {
    expect(Fault.parse(spec)).toEqual(expected)
    expect(Fault.format(expected)).toBe(spec)
  })

  it.each([
    ["imds", /expected <target>:<action>/],
    ["moon:503", /unknown target "moon"/],
    ["imds:teapot", /unknown action/],
    ["imds:200", /400 to 599/],
    ["imds:latency", /needs a duration/],
    ["imds:throttle=0", /positive/],
    ["imds:503@1.5", /probability/],
    ["imds:refusex2", /refuse/],
    ["imds:reset,retry-after=3", /retry-after only applies/],
    ["imds:503,colour=red", /unknown parameter/],
    ["imds:reply", /reply takes a status code/],
    ["imds:reply=101", /200 to 599/],
    ["imds?:503", /expected parameters after \?/],
    ["imds?client_id=abc:refuse", /cannot be limited to requests with params/]
  ])("rejects %s", (spec, message) => {
    const result = Fault.parse(spec)
    expect(result).toBeInstanceOf(Fault.FaultSyntaxError)
    expect((result as Fault.FaultSyntaxError).message).toMatch(message)
  })
})

describe("faults", () => {
  let emulator: Emulator.Emulator
  let clock = 1_700_000_000_000
  let rolls: Array<number> = []

  beforeAll(async () => {
    emulator = await Emulator.start({
      now: () => clock,
      random: () => rolls.shift() ?? 0.99,
      identities: ["system", "user:clientId=11111111-1111-1111-1111-111111111111"]
    })
  })
  afterAll(() => emulator.close())
  beforeEach(async () => {
    emulator.faults.clear()
    await emulator.faults.settled()
    emulator.requests.clear()
    rolls = []
  })

  const imdsUrl = () => `${emulator.url}${imdsPath}?api-version=2018-02-01&resource=${encodeURIComponent(arm)}`
  const imds = () => send(imdsUrl(), { headers: { Metadata: "true" } })
  const status = async () => {
    const result = await imds()
    return isResponse(result) ? result.status : result.error
  }

  it("answers the next N requests with a status and Azure's body, then recovers", async () => {
    emulator.faults.add("imds:410x2")
    const first = await fetchJson(imdsUrl(), { headers: { Metadata: "true" } })
    expect(first.status).toBe(410)
    expect(first.json).toEqual({
      error: "gone",
      error_description: "IMDS is undergoing updates and will be available within 70 seconds"
    })
    expect([await status(), await status()]).toEqual([410, 200])
    expect(emulator.faults.list()).toEqual([])
    expect(emulator.requests.counters().imds).toEqual({ total: 3, faulted: 2, byStatus: { "410": 2, "200": 1 } })
    expect(emulator.requests.all().map((entry) => entry.faults)).toEqual([["imds:410x2"], ["imds:410x2"], []])
  })

  it("sends Retry-After with 429", async () => {
    emulator.faults.add("imds:429,retry-after=7x1")
    const throttled = await fetchRaw(imdsUrl(), { headers: { Metadata: "true" } })
    expect(throttled.status).toBe(429)
    expect(throttled.headers["retry-after"]).toBe("7")
    emulator.faults.add("imds:429x1")
    expect((await fetchRaw(imdsUrl(), { headers: { Metadata: "true" } })).headers["retry-after"]).toBe("1")
  })

  it("shapes error bodies like each endpoint family", async () => {
    emulator.faults.add("*:503")
    const appService = await fetchJson(`${emulator.envFor("appservice").IDENTITY_ENDPOINT}?api-version=2019-08-01`)
    expect(appService.json).toMatchObject({ statusCode: 503, message: "Service Unavailable" })
    const fabric = await fetchJson(`${emulator.envFor("servicefabric").IDENTITY_ENDPOINT}`, {
      ca: emulator.certificate
    })
    expect(fabric.json.error).toMatchObject({ code: "ServiceUnavailable" })
    const entra = await fetchJson(`${emulator.url}/${emulator.tenantId}/oauth2/v2.0/token`, { method: "POST" })
    expect(entra.json).toMatchObject({ error: "temporarily_unavailable", error_codes: [90033] })
    const imds = await fetchJson(imdsUrl(), { headers: { Metadata: "true" } })
    expect(imds.json.error).toBe("service_unavailable")
  })

  it("fails each request with a probability", async () => {
    emulator.faults.add("imds:503@0.16")
    rolls = [0.1, 0.5, 0.15, 0.16]
    expect([await status(), await status(), await status(), await status()]).toEqual([503, 200, 503, 200])
    expect(emulator.faults.list()[0]?.hits).toBe(2)
  })

  it("fails every request for a time window, on the emulator's clock", async () => {
    emulator.faults.add("imds:410~70s")
    expect(await status()).toBe(410)
    clock += 69_999
    expect(await status()).toBe(410)
    clock += 1
    expect(await status()).toBe(200)
    expect(emulator.faults.list()).toEqual([])
  })

  it("throttles beyond N requests per second, like IMDS", async () => {
    emulator.faults.add("imds:throttle=2")
    expect([await status(), await status(), await status()]).toEqual([200, 200, 429])
    clock += 1_000
    expect(await status()).toBe(200)
  })

  it("applies to every endpoint with *", async () => {
    emulator.faults.add("*:500x2")
    expect(await status()).toBe(500)
    const appService = await fetchRaw(`${emulator.envFor("appservice").IDENTITY_ENDPOINT}?api-version=2019-08-01`)
    expect(appService.status).toBe(500)
  })

  it("delays requests with latency, combined with another fault", async () => {
    emulator.faults.add("imds:latency=40x1")
    emulator.faults.add("imds:503x1")
    const started = performance.now()
    expect(await status()).toBe(503)
    // A lower bound only: the response cannot come before the injected delay.
    expect(performance.now() - started).toBeGreaterThanOrEqual(35)
    expect(emulator.requests.last()?.faults).toEqual(["imds:latency=40x1", "imds:503x1"])
  })

  it("resets the connection", async () => {
    emulator.faults.add("imds:resetx1")
    const result = await imds()
    expect(isResponse(result)).toBe(false)
    expect(result).toMatchObject({ error: "ECONNRESET" })
    expect(emulator.requests.last()).toMatchObject({ outcome: "faulted", faults: ["imds:resetx1"] })
  })

  it("truncates the body below its Content-Length", async () => {
    emulator.faults.add("imds:truncatex1")
    const result = await imds()
    expect(isResponse(result)).toBe(false)
    if (!isResponse(result)) {
      expect(result.partial?.length).toBeGreaterThan(0)
      expect(() => JSON.parse(result.partial ?? "")).toThrow()
    }
  })

  it("answers malformed JSON, an HTML page or an oversized body", async () => {
    emulator.faults.add("imds:malformedx1")
    const malformed = await fetchRaw(imdsUrl(), { headers: { Metadata: "true" } })
    expect(malformed.status).toBe(200)
    expect(() => JSON.parse(malformed.body)).toThrow()

    emulator.faults.add("imds:htmlx1")
    const html = await fetchRaw(imdsUrl(), { headers: { Metadata: "true" } })
    expect(html.status).toBe(502)
    expect(html.headers["content-type"]).toBe("text/html")
    expect(html.body).toMatch(/^<!DOCTYPE html>/)

    emulator.faults.add("imds:oversizedx1")
    const oversized = await fetchRaw(imdsUrl(), { headers: { Metadata: "true" } })
    expect(oversized.body.length).toBeGreaterThan(64 * 1024)
    expect(JSON.parse(oversized.body).access_token).toMatch(/^eyJ/)
  })

  it("dribbles a slow body that still arrives whole", async () => {
    emulator.faults.add("imds:slow=60x1")
    const started = performance.now()
    const slow = await fetchJson(imdsUrl(), { headers: { Metadata: "true" } })
    expect(slow.status).toBe(200)
    expect(slow.json.access_token).toMatch(/^eyJ/)
    expect(performance.now() - started).toBeGreaterThanOrEqual(50)
    expect(emulator.requests.last()).toMatchObject({ outcome: "faulted", status: 200, faults: ["imds:slow=60x1"] })
  })

  it("refuses connections until cleared, then listens again on the same port", async () => {
    const fault = emulator.faults.add("imds:refuse")
    await emulator.faults.settled()
    expect(await status()).toBe("ECONNREFUSED")
    expect(emulator.faults.remove(fault.id)).toBe(true)
    await emulator.faults.settled()
    expect(await status()).toBe(200)
  })

  it("refuses for a window of real time", async () => {
    emulator.faults.add("*:refuse~150ms")
    await emulator.faults.settled()
    expect(await status()).toBe("ECONNREFUSED")
    await expect.poll(status, { timeout: 5_000, interval: 50 }).toBe(200)
  })

  it("refuses only the HTTPS port for servicefabric", async () => {
    emulator.faults.add("servicefabric:refuse")
    await emulator.faults.settled()
    expect(await send(emulator.envFor("servicefabric").IDENTITY_ENDPOINT!, { ca: emulator.certificate })).toEqual({
      error: "ECONNREFUSED"
    })
    expect(await status()).toBe(200)
  })

  it("holds black-holed requests open without answering", async () => {
    emulator.faults.add("imds:blackholex1")
    const hung = imds()
    await expect.poll(() => emulator.requests.last()?.outcome).toBe("pending")
    expect(emulator.requests.last()?.faults).toEqual(["imds:blackholex1"])
    expect(await status()).toBe(200)
    emulator.faults.add("*:refuse")
    await emulator.faults.settled()
    // Refusing drops every open connection, the black-holed one included.
    expect(isResponse(await hung)).toBe(false)
  })

  describe("scripted replies", () => {
    const dockerBody =
      "connecting to 169.254.169.254:80: connecting to 169.254.169.254:80: dial tcp 169.254.169.254:80: connectex: A socket operation was attempted to an unreachable network."

    it("answers exactly the scripted status, headers and body, for the next N requests", async () => {
      const fault = emulator.faults.add({
        target: "imds",
        action: {
          kind: "reply",
          status: 403,
          headers: { "Content-Type": "text/plain", Server: "proxy" },
          body: dockerBody
        },
        times: 2
      })
      expect(fault.spec).toBe("imds:reply=403x2")
      for (let i = 0; i < 2; i++) {
        const reply = await fetchRaw(imdsUrl(), { headers: { Metadata: "true" } })
        expect(reply.status).toBe(403)
        expect(reply.body).toBe(dockerBody)
        expect(reply.headers["content-type"]).toBe("text/plain")
        expect(reply.headers.server).toBe("proxy")
        expect(reply.headers["content-length"]).toBe(String(Buffer.byteLength(dockerBody)))
      }
      expect(await status()).toBe(200)
      expect(emulator.requests.all().map((entry) => [entry.status, entry.outcome, entry.faults])).toEqual([
        [403, "faulted", ["imds:reply=403x2"]],
        [403, "faulted", ["imds:reply=403x2"]],
        [200, "answered", []]
      ])
    })

    it("plays several one-shot replies in the order they were added, then the endpoint answers", async () => {
      emulator.faults.add({ target: "appservice", action: { kind: "reply", status: 500, body: "" }, times: 1 })
      emulator.faults.add({
        target: "appservice",
        action: { kind: "reply", status: 200, headers: { "content-type": "application/json" }, body: '{"a":1}' },
        times: 1
      })
      const url = `${emulator.envFor("appservice").IDENTITY_ENDPOINT}?api-version=2019-08-01&resource=${arm}`
      const headers = { "X-IDENTITY-HEADER": emulator.secret }
      const first = await fetchRaw(url, { headers })
      expect([first.status, first.body]).toEqual([500, ""])
      expect((await fetchRaw(url, { headers })).body).toBe('{"a":1}')
      expect((await fetchJson(url, { headers })).json.access_token).toMatch(/^eyJ/)
    })

    it("limits a fault to requests carrying given parameters, in the query or the form body", async () => {
      emulator.faults.add({
        target: "imds",
        action: { kind: "reply", status: 400, body: "no" },
        params: { client_id: "11111111-1111-1111-1111-111111111111" },
        times: 1
      })
      // A request without the parameter is answered normally and does not use up the fault.
      expect(await status()).toBe(200)
      const selected = await fetchRaw(`${imdsUrl()}&client_id=11111111-1111-1111-1111-111111111111`, {
        headers: { Metadata: "true" }
      })
      expect([selected.status, selected.body]).toEqual([400, "no"])
      expect(emulator.faults.list()).toEqual([])

      emulator.faults.add("cloudshell?resource=https%3A%2F%2Fvault.azure.net:reply=418")
      const post = (resource: string) =>
        fetchRaw(emulator.envFor("cloudshell").MSI_ENDPOINT!, {
          method: "POST",
          headers: { Metadata: "true", "content-type": "application/x-www-form-urlencoded" },
          body: new URLSearchParams({ resource }).toString()
        })
      expect((await post("https://vault.azure.net")).status).toBe(418)
      expect((await post(arm)).status).toBe(200)
    })

    it.each<[string, Fault.FaultAction, RegExp]>([
      ["a status outside 200-599", { kind: "reply", status: 700 }, /200 to 599/],
      ["a header with a line break", { kind: "reply", status: 200, headers: { "x-a": "1\r\nx-b: 2" } }, /line breaks/],
      ["a bad header name", { kind: "reply", status: 200, headers: { "x a": "1" } }, /field name/],
      ["Content-Length", { kind: "reply", status: 200, headers: { "Content-Length": "9" } }, /set by the emulator/],
      ["a body on a 204", { kind: "reply", status: 204, body: "x" }, /has no body/],
      ["a body that is not a string", { kind: "reply", status: 200, body: 42 as unknown as string }, /must be a string/]
    ])("refuses %s", (_, action, message) => {
      expect(() => emulator.faults.add({ target: "imds", action })).toThrow(message)
      expect(emulator.faults.list()).toEqual([])
    })

    it("refuses params that name nothing or carry a non-string value", () => {
      const action = { kind: "status", status: 500 } as const
      expect(() => emulator.faults.add({ target: "imds", action, params: {} })).toThrow(/at least one parameter/)
      expect(() =>
        emulator.faults.add({ target: "imds", action, params: { client_id: 1 as unknown as string } })
      ).toThrow(/must be a string/)
      expect(emulator.faults.list()).toEqual([])
    })

    it("takes a reply definition through the admin API as JSON, and refuses a bad one with 400", async () => {
      const admin = (body: unknown) =>
        fetchRaw(`${emulator.url}/admin/faults`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(body)
        })
      const added = await admin({
        target: "imds",
        action: { kind: "reply", status: 403, headers: { "content-type": "text/plain" }, body: dockerBody },
        params: { resource: arm },
        times: 1
      })
      expect(added.status).toBe(201)
      expect(JSON.parse(added.body).faults[0]).toMatchObject({
        spec: `imds?resource=${encodeURIComponent(arm)}:reply=403x1`,
        remaining: 1
      })
      const reply = await fetchRaw(imdsUrl(), { headers: { Metadata: "true" } })
      expect([reply.status, reply.headers["content-type"], reply.body]).toEqual([403, "text/plain", dockerBody])
      for (const bad of [
        { target: "imds", action: { kind: "reply", status: 200, headers: { "content-length": "1" } } },
        { target: "imds", action: "reply" },
        { target: "imds" }
      ]) {
        const refused = await admin(bad)
        expect(refused.status).toBe(400)
        expect(JSON.parse(refused.body).message).toMatch(/^Invalid fault/)
      }
      expect(emulator.faults.list()).toEqual([])
    })
  })

  it("installs faults given at start", async () => {
    const other = await Emulator.start({
      faults: ["imds:404x1", { target: "imds", action: { kind: "status", status: 500 }, times: 1 }]
    })
    try {
      const url = `${other.url}${imdsPath}?api-version=2018-02-01&resource=${arm}`
      const statuses = []
      for (let i = 0; i < 3; i++) statuses.push((await fetchRaw(url, { headers: { Metadata: "true" } })).status)
      expect(statuses).toEqual([404, 500, 200])
      expect(() => other.faults.add("imds:nope")).toThrow(Fault.FaultSyntaxError)
    } finally {
      await other.close()
    }
  })
})
