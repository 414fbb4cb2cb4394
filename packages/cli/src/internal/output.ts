/**
 * Everything the CLI writes for people goes through here. Text from outside (endpoint answers,
 * token claims, variables, error messages) is untrusted: a terminal would obey the escape
 * sequences, C1 controls and bidi overrides it may carry. So the commands never write a plain
 * string: they write `Shown` text, which only `shown`, the colours and `table` make, and these
 * escape every string they are given (`DisplayText.escape`) before adding the CLI's own colours.
 * JSON goes out through `DisplayText.escapeJson`.
 */
import * as DisplayText from "@managed-identity/core/DisplayText"

/**
 * Where the CLI writes and whether it may colour: colours only for a terminal without NO_COLOR.
 */
export interface Io {
  readonly out: (text: string) => void
  readonly err: (text: string) => void
  readonly color: boolean
  /** Variables the commands read (process.env in the executable). */
  readonly environment: Readonly<Record<string, string | undefined>>
  readonly setExitCode: (code: number) => void
}

export const processIo = (): Io => ({
  out: (text) => void process.stdout.write(`${text}\n`),
  err: (text) => void process.stderr.write(`${text}\n`),
  color: process.stdout.isTTY === true && process.env.NO_COLOR === undefined && process.env.TERM !== "dumb",
  environment: process.env,
  setExitCode: (code) => {
    process.exitCode = code
  }
})

/** Text safe for a terminal: the CLI's own words and colours around escaped text from outside. */
export class Shown {
  constructor(readonly text: string) {}
}

/** Text from outside, or already shown. Numbers are ours (durations, dates), escaped all the same. */
export type Showable = Shown | string | number

const show = (value: Showable): string => (value instanceof Shown ? value.text : DisplayText.escape(String(value)))

/**
 * A line in the CLI's own words: the template's literal parts are kept, every value is escaped
 * unless it is already `Shown`.
 */
export const shown = (literals: TemplateStringsArray, ...values: ReadonlyArray<Showable>): Shown =>
  new Shown(literals.reduce((out, literal, i) => out + (i === 0 ? "" : show(values[i - 1]!)) + literal, ""))

/** Lines, one under the other. */
export const lines = (items: ReadonlyArray<Showable>): Shown => new Shown(items.map(show).join("\n"))

/** Every line indented by `prefix`. */
export const indent = (prefix: string, text: Shown): Shown =>
  new Shown(
    text.text
      .split("\n")
      .map((line) => `${prefix}${line}`)
      .join("\n")
  )

export const out = (io: Io, text: Shown): void => io.out(text.text)
export const err = (io: Io, text: Shown): void => io.err(text.text)

/** JSON for machines, with every control, bidi and invisible character as `\uXXXX`. */
export const json = (io: Io, value: unknown): void => io.out(DisplayText.escapeJson(JSON.stringify(value, null, 2)))

// The colour wraps escaped text, so the only sequences written are these.
const wrap = (open: number, close: number) => (io: Io, text: Showable) =>
  new Shown(io.color ? `\u001b[${open}m${show(text)}\u001b[${close}m` : show(text))

export const bold = wrap(1, 22)
export const dim = wrap(2, 22)
export const green = wrap(32, 39)
export const yellow = wrap(33, 39)
export const red = wrap(31, 39)
export const cyan = wrap(36, 39)

/** Two aligned columns. */
export const table = (rows: ReadonlyArray<readonly [Showable, Showable]>): Shown => {
  const cells = rows.map(([k, v]) => [show(k), show(v)] as const)
  const width = Math.max(0, ...cells.map(([k]) => k.length))
  return new Shown(cells.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`).join("\n"))
}

export const duration = (ms: number): string =>
  ms < 1000
    ? `${Math.round(ms)} ms`
    : ms < 120_000
      ? `${Math.round(ms / 100) / 10} s`
      : ms < 7_200_000
        ? `${Math.round(ms / 60_000)} min`
        : `${Math.round(ms / 360_000) / 10} h`

/** A moment for people: ISO 8601 in UTC to the second (`2026-12-04T18:40:00Z`). */
export const instant = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z")
