/**
 * The conformance and compatibility suites as a module Worker (run by workerd through miniflare): the setup arrives
 * as a binding, the reports go back as the response.
 */
import type * as Compatibility from "@managed-identity/conformance/Compatibility"
import { runBoth } from "./target.js"

export default {
  async fetch(_request: Request, env: { readonly MI_CONFORMANCE_SETUP: string }): Promise<Response> {
    const reports = await runBoth("workerd", JSON.parse(env.MI_CONFORMANCE_SETUP) as Compatibility.Setup)
    return new Response(JSON.stringify(reports), { headers: { "content-type": "application/json" } })
  }
}
