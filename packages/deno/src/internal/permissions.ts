import * as ManagedIdentityError from "@managed-identity/core/ManagedIdentityError"
import type * as SourceRequirements from "@managed-identity/core/SourceRequirements"
import * as Effect from "effect/Effect"
import { permission } from "./runtime.js"

const hostOf = (endpoint: string): string | undefined => {
  try {
    const url = new URL(endpoint)
    return `${url.hostname}:${url.port || (url.protocol === "https:" ? "443" : "80")}`
  } catch {
    return undefined
  }
}

const denied = (requirements: SourceRequirements.SourceRequirements, message: string) =>
  new ManagedIdentityError.Unavailable({
    source: requirements.source,
    reason: "access-denied",
    message: `${requirements.source}: ${message}`,
    attempts: 0,
    elapsedMs: 0,
    endpoint: requirements.endpoint
  })

/**
 * Checks, before the first request, that Deno lets the source connect to its endpoint and read
 * its files, so a missing flag is an `Unavailable` naming it (`--allow-net=host:port`) rather than
 * an access-denied socket error halfway through the protocol. Where Deno would prompt, it prompts
 * here (in a terminal) or refuses (otherwise), exactly as the operation itself would.
 *
 * @internal
 */
export const denial = (
  requirements: SourceRequirements.SourceRequirements
): ManagedIdentityError.Unavailable | undefined => {
  const host = hostOf(requirements.endpoint)
  if (host !== undefined && permission({ name: "net", host }) === "denied") {
    return denied(requirements, `Deno may not connect to ${host}; run with --allow-net=${host} (or --allow-net)`)
  }
  for (const file of requirements.files) {
    if (permission({ name: "read", path: file.path }) === "denied") {
      return denied(
        requirements,
        `Deno may not read ${file.purpose} ${file.kind === "directory" ? "in" : "at"} ${file.path}; run with --allow-read=${file.path} (or --allow-read)`
      )
    }
  }
  return undefined
}

/**
 * `denial` as an effect, for the Effect API's layer.
 *
 * @internal
 */
export const check = (
  requirements: SourceRequirements.SourceRequirements
): Effect.Effect<void, ManagedIdentityError.Unavailable> =>
  Effect.suspend(() => {
    const refusal = denial(requirements)
    return refusal === undefined ? Effect.void : Effect.fail(refusal)
  })
