// core + edge, Effect API: what a Cloudflare Worker (or Vercel Edge function) ships to get a token
// with the edge layer (fetch, the Worker's bindings as the environment, no file system).
import * as Effect from "effect/Effect"
import * as ManagedIdentity from "@managed-identity/core/ManagedIdentity"
import { EdgeManagedIdentity } from "@managed-identity/edge/effect"

export default {
  async fetch(_request, env) {
    const token = await Effect.runPromise(
      Effect.provide(
        ManagedIdentity.getToken("https://management.azure.com/.default"),
        EdgeManagedIdentity.layer({ env })
      )
    )
    return new Response(`token expires at ${token.expiresOn}`)
  }
}
