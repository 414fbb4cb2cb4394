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
    ["imds:throttle=5", { target: "imds", action: { kind: "throttle", perSecond: 5 } }]
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
    ["imds:503,colour=red", /unknown parameter/]
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
