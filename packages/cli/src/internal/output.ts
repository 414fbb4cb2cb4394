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

const wrap = (open: number, close: number) => (io: Io, text: string) =>
  io.color ? `\u001b[${open}m${text}\u001b[${close}m` : text

export const bold = wrap(1, 22)
export const dim = wrap(2, 22)
export const green = wrap(32, 39)
export const yellow = wrap(33, 39)
export const red = wrap(31, 39)
export const cyan = wrap(36, 39)

/** Two aligned columns. */
export const table = (rows: ReadonlyArray<readonly [string, string]>): string => {
  const width = Math.max(0, ...rows.map(([k]) => k.length))
  return rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`).join("\n")
}

export const duration = (ms: number): string =>
  ms < 1000
    ? `${Math.round(ms)} ms`
    : ms < 120_000
      ? `${Math.round(ms / 100) / 10} s`
      : `${Math.round(ms / 60_000)} min`
