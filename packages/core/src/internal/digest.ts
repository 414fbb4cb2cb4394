/**
 * SHA-256 through WebCrypto, present in every runtime this library runs on (Node ≥ 19's global
 * `crypto`, Deno, Bun, Workers).
 *
 * @internal
 */
import * as Effect from "effect/Effect"

const encoder = /* @__PURE__ */ new TextEncoder()

/**
 * The lowercase hex SHA-256 of a text's UTF-8 bytes.
 *
 * @internal
 */
export const sha256Hex = (text: string): Effect.Effect<string> =>
  Effect.promise(async () => {
    const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", encoder.encode(text)))
    let hex = ""
    for (const byte of digest) hex += byte.toString(16).padStart(2, "0")
    return hex
  })
