/**
 * The compatibility suite's catalogue, checked without running it: every case names an exact
 * origin in an official SDK's repository, titles are unique, every source is covered, and a
 * runtime without a file system or pinning gets refusal cases that expect no request at all.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Compatibility from "../src/Compatibility.js"
import type { Capabilities } from "../src/Suite.js"

const full: Capabilities = { fileSystem: true, certificatePinning: true, refusedConnections: true }
const edge: Capabilities = { fileSystem: false, certificatePinning: false, refusedConnections: false }

const repositories = [
  "AzureAD/microsoft-authentication-library-for-dotnet/",
  "AzureAD/microsoft-authentication-library-for-go/",
  "AzureAD/microsoft-authentication-library-for-js/",
  "AzureAD/microsoft-authentication-library-for-python/",
  "Azure/azure-sdk-for-go/",
  "Azure/azure-sdk-for-python/",
  "Azure/azure-sdk-for-js/"
]

describe("the compatibility catalogue", () => {
  it("has at least 70 cases with unique titles", () => {
    expect(Compatibility.all.length).toBeGreaterThanOrEqual(70)
    const titles = Compatibility.all.map(Compatibility.title)
    expect(new Set(titles).size).toBe(titles.length)
  })

  it("names an origin in an official SDK's repository for every case: owner/repo/path#test", () => {
    for (const c of Compatibility.all) {
      expect(
        repositories.some((repository) => c.origin.startsWith(repository)),
        c.origin
      ).toBe(true)
      expect(c.origin, c.origin).toMatch(/^[\w.-]+\/[\w.-]+\/[^#\s]+\.(?:cs|go|ts|py)#\S/)
    }
  })

  it("covers every source with several cases", () => {
    for (const [source, cases] of Object.entries(Compatibility.casesBySource)) {
      expect(cases.length, source).toBeGreaterThanOrEqual(5)
      expect(cases.every((c) => c.source === source)).toBe(true)
    }
  })

  it("declares at least one step and a request list for every case", () => {
    for (const c of Compatibility.all) {
      expect(c.steps.length, Compatibility.title(c)).toBeGreaterThan(0)
      // A case that scripts replies expects the endpoint to be asked.
      if (c.replies !== undefined) expect(c.requests.length, Compatibility.title(c)).toBeGreaterThan(0)
    }
  })

  it("runs every case as written where the runtime can", () => {
    expect(Compatibility.cases(full).every((c) => !c.refusedHere)).toBe(true)
    expect(Compatibility.cases(full).map((c) => c.name)).toEqual(Compatibility.all.map(Compatibility.title))
  })

  it("turns Arc, workload identity and Service Fabric cases into refusals with no request where it cannot", () => {
    const refused = Compatibility.cases(edge).filter((c) => c.refusedHere)
    expect(refused.length).toBeGreaterThan(20)
    for (const c of refused) {
      expect(["arc", "workloadidentity", "servicefabric"]).toContain(c.source)
      expect(c.requests).toEqual([])
      expect(c.replies).toBeUndefined()
      expect(c.steps).toEqual([{ expect: { kind: "error", error: "unavailable" } }])
      expect(c.name).toMatch(/\(refused here: no (file system|certificate pinning)\)$/)
    }
    const expected = Compatibility.expectedRequests(edge)
    expect(expected.arc ?? 0).toBe(0)
    expect(expected.servicefabric ?? 0).toBe(0)
  })

  it("checks what a runtime can see instead where fetch hides a 407", () => {
    const hidden = Compatibility.cases({ ...full, proxyAuthenticationStatus: false }).filter((c) =>
      c.name.endsWith("(here: fetch hides a 407)")
    )
    expect(hidden).toHaveLength(1)
    expect(hidden[0]?.refusedHere).toBe(false)
    expect(hidden[0]?.requests).toHaveLength(2)
    expect(hidden[0]?.steps[0]?.expect.kind).toBe("token")
  })
})
