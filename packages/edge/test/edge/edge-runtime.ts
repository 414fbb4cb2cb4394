/**
 * The conformance suite in Vercel's `edge-runtime` (a service-worker-style script): the setup
 * arrives as the request body, the report goes back as the response.
 */
import * as Suite from "@managed-identity/conformance/Suite"
import { target } from "./target.js"

declare const addEventListener: (
  type: "fetch",
  listener: (event: { readonly request: Request; respondWith(response: Promise<Response>): void }) => void
) => void

addEventListener("fetch", (event) => {
  event.respondWith(
    event.request
      .json()
      .then((setup) => Suite.run(target("edge-runtime"), setup as Suite.Setup))
      .then((report) => new Response(JSON.stringify(report), { headers: { "content-type": "application/json" } }))
  )
})
