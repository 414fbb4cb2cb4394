import { describe, expect, it } from "@effect/vitest"
import { DisplayText } from "../src/index.js"

// Every character a terminal or a reader could be fooled by, one per line of the table.
const unsafe: ReadonlyArray<readonly [name: string, char: string, escaped: string]> = [
  ["NUL", "\u0000", "\\x00"],
  ["BEL", "\u0007", "\\x07"],
  ["backspace", "\u0008", "\\x08"],
  ["tab", "\t", "\\x09"],
  ["line feed", "\n", "\\x0a"],
  ["carriage return", "\r", "\\x0d"],
  ["ESC", "\u001b", "\\x1b"],
  ["unit separator", "\u001f", "\\x1f"],
  ["DEL", "\u007f", "\\x7f"],
  ["PAD (first C1)", "\u0080", "\\x80"],
  ["NEL", "\u0085", "\\x85"],
  ["DCS", "\u0090", "\\x90"],
  ["CSI", "\u009b", "\\x9b"],
  ["ST", "\u009c", "\\x9c"],
  ["OSC", "\u009d", "\\x9d"],
  ["APC (last C1)", "\u009f", "\\x9f"],
  ["soft hyphen", "\u00ad", "\\xad"],
  ["Arabic letter mark", "\u061c", "\\u061c"],
  ["Hangul filler", "\u3164", "\\u3164"],
  ["zero-width space", "\u200b", "\\u200b"],
  ["zero-width joiner", "\u200d", "\\u200d"],
  ["left-to-right mark", "\u200e", "\\u200e"],
  ["right-to-left mark", "\u200f", "\\u200f"],
  ["line separator", "\u2028", "\\u2028"],
  ["paragraph separator", "\u2029", "\\u2029"],
  ["left-to-right embedding", "\u202a", "\\u202a"],
  ["right-to-left override", "\u202e", "\\u202e"],
  ["word joiner", "\u2060", "\\u2060"],
  ["left-to-right isolate", "\u2066", "\\u2066"],
  ["pop directional isolate", "\u2069", "\\u2069"],
  ["byte order mark", "\ufeff", "\\ufeff"],
  ["lone surrogate", "\ud800", "\\ud800"],
  ["tag letter A", "\u{e0041}", "\\u{e0041}"]
]

describe("DisplayText.escape", () => {
  it.each(unsafe)("renders %s visibly", (_, char, escaped) => {
    expect(DisplayText.escape(`a${char}b`)).toBe(`a${escaped}b`)
  })

  it("keeps printable text as it is: accents, emoji, CJK, backslashes, no-break spaces", () => {
    const text = "C:\\Program Files\\Azure — é 😀 日本 \u00a0→ 100%"
    expect(DisplayText.escape(text)).toBe(text)
  })

  it("defuses whole terminal sequences: the text stays readable, nothing is left to obey", () => {
    const hostile =
      "\u001b]0;pwned\u0007\u001b]52;c;cHduZWQ=\u001b\\\u001b[2K\u001b[1A\u009b32mhealthy\u009d8;;x\u009c\u001bPq#0\u001b\\\u202egnp.exe"
    const shown = DisplayText.escape(hostile)
    expect(shown).toBe(
      "\\x1b]0;pwned\\x07\\x1b]52;c;cHduZWQ=\\x1b\\\\x1b[2K\\x1b[1A\\x9b32mhealthy\\x9d8;;x\\x9c\\x1bPq#0\\x1b\\\\u202egnp.exe"
    )
    expect(shown).toMatch(/^[\x20-\x7e]*$/)
  })
})

describe("DisplayText.strip", () => {
  it.each(unsafe)("removes %s", (_, char) => {
    expect(DisplayText.strip(`a${char}b`)).toBe("ab")
  })

  it("replaces each run with the replacement, keeping words apart", () => {
    expect(DisplayText.strip("one\r\ntwo\u200b\u202ethree", " ")).toBe("one two three")
  })
})

describe("DisplayText.escapeJson", () => {
  const value = {
    resource: "\u001b]0;pwned\u0007",
    oid: "\u009b31m",
    name: "\u202egnp.exe\u2066",
    lines: "a\u2028b\u2029c\u007f",
    tag: "\u{e0041}",
    plain: "é 😀"
  }

  it("leaves no unsafe character raw, and the JSON means the same", () => {
    const json = DisplayText.escapeJson(JSON.stringify(value, null, 2))
    const raw = [...json].filter((char) => char !== "\n" && DisplayText.escape(char) !== char)
    expect(raw).toEqual([])
    expect(json).toContain('"oid": "\\u009b31m"')
    expect(json).toContain('"name": "\\u202egnp.exe\\u2066"')
    expect(json).toContain('"lines": "a\\u2028b\\u2029c\\u007f"')
    expect(json).toContain('"tag": "\\udb40\\udc41"')
    expect(json).toContain('"plain": "é 😀"')
    expect(JSON.parse(json)).toEqual(value)
  })

  it("keeps JSON's own whitespace between tokens", () => {
    expect(DisplayText.escapeJson('{\n\t"a": 1\r\n}')).toBe('{\n\t"a": 1\r\n}')
  })
})
