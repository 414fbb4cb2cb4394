/**
 * Run by test/reliability/Abandonment.test.ts in a `node` process of its own, on the built package
 * (`@managed-identity/node`, what users import), against the emulator that test holds: conformance's
 * ProcessExit scenarios, which Deno and Bun run from TypeScript (Node 20 runs no TypeScript, so this
 * is their JavaScript twin). It leaves work behind and then does nothing, so how long the process
 * lives after its last line is how long that work holds it open:
 *
 * - `abort`: a call to a black-holed endpoint, aborted once its request is there; prints `aborted`.
 * - `background`: a token that is due for refresh, the endpoint black-holed, one more call (served
 *   from the cache, it starts the background refresh); prints `idle` once the refresh's request is
 *   there.
 *
 * argv: the scenario, then its setup (`ProcessExit.Setup`) as JSON.
 */
import * as http from "node:http"
import { ManagedIdentity } from "@managed-identity/core"
import { AbortError, ManagedIdentityCredential } from "@managed-identity/node"

const [scenario, json] = process.argv.slice(2)
const { environment, adminUrl, endpoint, resource, attemptTimeoutMs } = JSON.parse(json ?? "null")

/** The emulator's admin API, over connections that close after each call (none is left open). */
const admin = (method, path, body) =>
  new Promise((resolve, reject) => {
    const request = http.request(`${adminUrl}${path}`, {
      method,
      agent: false,
      headers: method === "GET" ? {} : { "content-type": "application/json" }
    })
    request.on("error", reject)
    request.on("response", (response) => {
      let text = ""
      response.setEncoding("utf8").on("data", (chunk) => {
        text += chunk
      })
      response.on("end", () =>
        response.statusCode < 300
          ? resolve(JSON.parse(text))
          : reject(new Error(`admin ${method} ${path}: ${response.statusCode}`))
      )
    })
    request.end(body === undefined ? undefined : JSON.stringify(body))
  })

const pendingArrived = async () => {
  for (;;) {
    const { requests } = await admin("GET", `/requests?endpoint=${endpoint}`)
    if (requests.some((r) => r.outcome === "pending")) return
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

// The product's defaults (retry policy, 10 s per attempt) except what points it at the emulator.
const credential = new ManagedIdentityCredential({
  managedIdentity: {
    ...(attemptTimeoutMs === undefined ? {} : { attemptTimeout: attemptTimeoutMs }),
    environment,
    endpointGuard: ManagedIdentity.allowLoopbackOnly
  }
})

if (scenario === "abort") {
  const controller = new AbortController()
  const call = credential.getToken(resource, { abortSignal: controller.signal })
  await pendingArrived()
  controller.abort()
  try {
    await call
    console.log("token")
  } catch (error) {
    console.log(error instanceof AbortError ? "aborted" : `failed: ${error.name}`)
  }
} else {
  await credential.getToken(resource)
  await admin("POST", "/faults", { spec: `${endpoint}:blackhole` })
  const cached = await credential.getToken(resource)
  await pendingArrived()
  console.log(cached.token.length > 0 ? "idle" : "no token")
}
