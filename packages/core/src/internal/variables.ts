/**
 * Environment variables as a record: empty values count as unset.
 *
 * @internal
 */
import type { Variables } from "../Environment.js"

/**
 * The variables without empty or non-text values.
 *
 * @internal
 */
export const normalize = (variables: Variables): Variables => {
  const out: Record<string, string> = {}
  for (const [name, value] of Object.entries(variables)) {
    if (typeof value === "string" && value.length > 0) out[name] = value
  }
  return out
}
