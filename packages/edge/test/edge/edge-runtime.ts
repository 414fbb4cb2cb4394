/**
 * The conformance and compatibility suites in Vercel's `edge-runtime` (a service-worker-style script): the setup
 * arrives as the request body, the reports go back as the response.
 */
import type * as Compatibility from "@managed-identity/conformance/Compatibility"
import { runBoth } from "./target.js"

declare const addEventListener: (
  type: "fetch",
  listener: (event: { readonly request: Request; respondWith(response: Promise<Response>): void }) => void
) => void

addEventListener("fetch", (event) => {
  event.respondWith(
    event.request
      .json()
      .then((setup) => runBoth("edge-runtime", setup as Compatibility.Setup))
      .then((reports) => new Response(JSON.stringify(reports), { headers: { "content-type": "application/json" } }))
  )
})
