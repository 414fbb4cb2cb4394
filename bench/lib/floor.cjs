// The floor: what any Node library has to spend at least, a hand-written `node:http` request to the
// same endpoint with no library, shaped like a credential so the cold-start children treat it like
// the two libraries (import the entry, construct, getToken). It reads the endpoint from
// AZURE_POD_IDENTITY_AUTHORITY_HOST as they do, and refuses anything but loopback (guard.cjs).
//
// `node:http` is loaded with `require`, also when an ES module imports this file: on Node 22 and
// later, `import … from "node:http"` (named or namespace) builds the module's ES namespace, which
// reads every export, `http.WebSocket` included, and that getter loads undici and the TLS stack
// (tens of milliseconds). A library can avoid that, so the floor does; floor-esm.mjs shows the cost.
"use strict"
const { loopbackOnly } = require("./guard.cjs")

/** A credential class over the given `node:http` module. */
const floorCredential = (http) =>
  class ManagedIdentityCredential {
    getToken(scope) {
      const url = new URL("/metadata/identity/oauth2/token", process.env.AZURE_POD_IDENTITY_AUTHORITY_HOST)
      if (!loopbackOnly(url)) return Promise.reject(new Error("floor: the endpoint is not loopback"))
      url.searchParams.set("api-version", "2018-02-01")
      url.searchParams.set("resource", scope.replace(/\/\.default$/, ""))
      return new Promise((resolve, reject) => {
        const request = http.get(url, { headers: { Metadata: "true" } }, (response) => {
          let body = ""
          response.setEncoding("utf8")
          response.on("data", (chunk) => {
            body += chunk
          })
          response.on("end", () => {
            if (response.statusCode !== 200) {
              reject(new Error(`floor: IMDS answered ${response.statusCode}`))
              return
            }
            const parsed = JSON.parse(body)
            resolve({ token: parsed.access_token, expiresOnTimestamp: Number(parsed.expires_on) * 1000 })
          })
        })
        request.on("error", reject)
      })
    }
  }

exports.floorCredential = floorCredential
exports.ManagedIdentityCredential = floorCredential(require("node:http"))
