/**
 * Text from outside (endpoint bodies, token claims, environment variables, error messages) made
 * safe to show a person. A terminal obeys control characters in what it prints: ESC and C1
 * sequences can recolour or erase lines (a fake "healthy"), retitle the window, write the
 * clipboard (OSC 52); bidirectional overrides and zero-width characters make text read
 * differently from what it is. This module is the one definition of those characters.
 *
 * Unsafe: every Unicode control (`Cc`: U+0000–U+001F, U+007F, U+0080–U+009F), every format
 * character (`Cf`: bidi embeddings, overrides, isolates and marks U+202A–U+202E, U+2066–U+2069,
 * U+200E/U+200F, U+061C; zero-width characters U+200B–U+200D, U+2060; U+00AD, U+FEFF, tags
 * U+E0000–U+E007F, ...), the line and paragraph separators U+2028/U+2029, lone surrogates, and the
 * Hangul fillers (letters that draw nothing: U+115F, U+1160, U+3164, U+FFA0).
 *
 * @since 0.1.0
 */

// One definition of "unsafe to show", used for every rendering below and by error messages.
const unsafe = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}\u115f\u1160\u3164\uffa0]/gu
const unsafeRun = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}\u115f\u1160\u3164\uffa0]+/gu
// What `escapeJson` must leave raw: the whitespace JSON.stringify puts between tokens.
const jsonWhitespace = new Set(["\t", "\n", "\r"])

const hex = (code: number, digits: number) => code.toString(16).padStart(digits, "0")

const visible = (char: string): string => {
  const code = char.codePointAt(0) ?? 0
  return code <= 0xff ? `\\x${hex(code, 2)}` : code <= 0xffff ? `\\u${hex(code, 4)}` : `\\u{${hex(code, 5)}}`
}

/**
 * Renders every unsafe character as a visible escape: `\xNN` up to U+00FF (ESC is `\x1b`, CSI
 * U+009B is `\x9b`, a newline is `\x0a`), `\uNNNN` above (U+202E is `\u202e`), `\u{NNNNN}` beyond
 * the BMP. Everything else, backslashes included, is kept as it is, so paths and URLs stay
 * readable.
 *
 * @since 0.1.0
 * @category rendering
 * @example
 * ```ts
 * import { DisplayText } from "@managed-identity/core"
 *
 * console.log(DisplayText.escape("\u001b]0;pwned\u0007 ok")) // \x1b]0;pwned\x07 ok
 * ```
 */
export const escape = (text: string): string => text.replace(unsafe, visible)

/**
 * Removes every unsafe character, or replaces each run of them with `replacement` (a space keeps
 * the words around a removed line break apart).
 *
 * @since 0.1.0
 * @category rendering
 * @example
 * ```ts
 * import { DisplayText } from "@managed-identity/core"
 *
 * console.log(DisplayText.strip("one\r\ntwo\u200bthree", " ")) // "one two three"
 * ```
 */
export const strip = (text: string, replacement = ""): string => text.replace(unsafeRun, replacement)

/**
 * Escapes, as `\uXXXX`, every unsafe character that `JSON.stringify` leaves raw (DEL, C1
 * controls, format characters, U+2028/U+2029), so that JSON printed on a terminal is as inert as
 * escaped text. Tab, line feed and carriage return are kept: outside strings they are JSON's own
 * whitespace, and `JSON.stringify` never leaves them raw inside one.
 *
 * @since 0.1.0
 * @category rendering
 * @example
 * ```ts
 * import { DisplayText } from "@managed-identity/core"
 *
 * const json = DisplayText.escapeJson(JSON.stringify({ oid: "\u009b31m" }, null, 2))
 * console.log(json.includes("\\u009b31m"), JSON.parse(json).oid === "\u009b31m") // true true
 * ```
 */
export const escapeJson = (json: string): string =>
  json.replace(unsafe, (char) => {
    if (jsonWhitespace.has(char)) return char
    let out = ""
    // Characters beyond the BMP are escaped as their two UTF-16 code units, as JSON requires.
    for (let i = 0; i < char.length; i++) out += `\\u${hex(char.charCodeAt(i), 4)}`
    return out
  })
