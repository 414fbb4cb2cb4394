/**
 * Run by test/DenoManagedIdentity.test.ts under `deno run` with deliberately missing permissions,
 * or with a proxy configured; prints what the adapter reported, as one JSON line. The setup
 * arrives as an argument, which needs no permission.
 */
import { Environment, ManagedIdentity } from "@managed-identity/core"
import * as Effect from "effect/Effect"
import type * as Suite from "@managed-identity/conformance/Suite"
import { DenoEnvironment } from "../../src/effect.js"
import { ManagedIdentityCredential } from "../../src/index.js"

declare const Deno: { readonly args: ReadonlyArray<string> }

const [mode, json] = Deno.args
const setup = JSON.parse(json ?? "null") as Suite.Setup

const failure = async (promise: Promise<unknown>): Promise<string> =>
  promise.then(
    () => "no error",
    (error: Error) => `${error.name}: ${error.message}`
  )

const tokenError = (source: Suite.SourceKey) => {
  const credential = new ManagedIdentityCredential({
    managedIdentity: {
      environment: setup.environments[source],
      endpointGuard: ManagedIdentity.allowLoopbackOnly,
      sourceOptions: { arcKeyDirectory: setup.keyDirectory },
      retry: false
    }
  })
  return failure(credential.getToken("https://management.azure.com/.default")).finally(() => credential.close())
}

const environment = () =>
  Effect.runPromise(
    Effect.match(Effect.provide(Environment.Environment, DenoEnvironment.layer), {
      onFailure: (error) => ({ error: error.message }),
      onSuccess: (env) => ({ variables: env.variables })
    })
  )

const report =
  mode === "environment"
    ? await environment()
    : {
        imds: await tokenError("imds"),
        workloadidentity: await tokenError("workloadidentity"),
        arc: await tokenError("arc")
      }
console.log(JSON.stringify(report))
