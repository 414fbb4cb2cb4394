/**
 * Reading the managed-identity variables under Deno's permissions, as plain functions: the Effect
 * API's `DenoEnvironment` and the Promise API (which loads no Effect module) share them.
 *
 * @internal
 */
import type { Platform, Variables } from "@managed-identity/core/Environment"
import { InvalidArgument } from "@managed-identity/core/ManagedIdentityError"
import { variableNames } from "@managed-identity/core/SourceCatalog"
import { type DenoNamespace, deno, permission } from "./runtime.js"

/** @internal */
export const platform = (): Platform => (deno()?.build.os === "windows" ? "windows" : "posix")

/** @internal */
export const notDeno = (): InvalidArgument =>
  new InvalidArgument({
    argument: "runtime",
    message: "@managed-identity/deno must run under Deno (Deno.env is not available); use the adapter for your runtime"
  })

const noEnvPermission = (): InvalidArgument =>
  new InvalidArgument({
    argument: "permissions",
    message: `Deno may not read the environment: run with --allow-env (or at least --allow-env=${variableNames.join(",")})`
  })

// Granted variables only: reading any other would make Deno prompt (or throw) once per name.
const readGranted = (runtime: DenoNamespace): Record<string, string> | undefined => {
  const variables: Record<string, string> = {}
  let granted = 0
  for (const name of variableNames) {
    if (permission({ name: "env", variable: name }, { ask: false }) !== "granted") continue
    granted++
    const value = runtime.env.get(name)
    if (value !== undefined) variables[name] = value
  }
  return granted === 0 ? undefined : variables
}

/**
 * The variables Deno lets the program read: all of them with `--allow-env`, else the granted
 * managed-identity ones; an `InvalidArgument` naming the flag when none is granted.
 *
 * @internal
 */
export const read = (): { readonly variables: Variables } | { readonly error: InvalidArgument } => {
  const runtime = deno()
  if (runtime === undefined) return { error: notDeno() }
  const all = permission({ name: "env" })
  if (all === "granted" || all === undefined) {
    try {
      return { variables: runtime.env.toObject() }
    } catch {
      // Without a permission API the attempt is the only way to know; fall through to granted names.
    }
  }
  const granted = readGranted(runtime)
  return granted === undefined ? { error: noEnvPermission() } : { variables: granted }
}
