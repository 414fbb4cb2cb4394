/**
 * The conformance suite as a module Worker (run by workerd through miniflare): the setup arrives
 * as a binding, the report goes back as the response.
 */
import * as Suite from "@managed-identity/conformance/Suite"
import { target } from "./target.js"

export default {
  async fetch(_request: Request, env: { readonly MI_CONFORMANCE_SETUP: string }): Promise<Response> {
    const report = await Suite.run(target("workerd"), JSON.parse(env.MI_CONFORMANCE_SETUP) as Suite.Setup)
    return new Response(JSON.stringify(report), { headers: { "content-type": "application/json" } })
  }
}
