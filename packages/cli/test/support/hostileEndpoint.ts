/**
 * An endpoint that answers in the real one's place with text meant for the terminal, not for the
 * reader: escape sequences that retitle the window, write the clipboard, erase lines and paint a
 * fake "healthy", their one-byte C1 forms, device control strings, bidi overrides and invisible
 * characters. A `node:http` server on 127.0.0.1, answering IMDS-shaped bodies from a queue; the
 * queue also takes any status, headers and body (a chosen token, a proxy's page).
 */
import * as http from "node:http"
import type * as net from "node:net"

/** Each kind of hostile text, named for what a terminal would do with it. */
export const sequences = {
  retitle: "\u001b]0;pwned\u0007", // OSC 0, ended by BEL
  clipboard: "\u001b]52;c;cHduZWQ=\u001b\\", // OSC 52, ended by ESC \ (ST)
  eraseAndRise: "\u001b[2K\u001b[1A", // CSI: erase the line, cursor up
  c1Colour: "\u009b32m", // CSI as the single C1 character U+009B
  c1Title: "\u009d0;pwned\u009c", // OSC as U+009D, ended by the C1 ST
  deviceControl: "\u001bP1$qm\u001b\\", // DCS (a status request), ESC P ... ST
  c1DeviceControl: "\u0090q\u009c", // DCS as U+0090
  nextLine: "\u0085", // NEL: a line break to a terminal, invisible in most editors
  bell: "\u0007\u0008\u007f",
  bidi: "\u202egnp.exe\u202c\u2066x\u2069", // right-to-left override, isolates
  invisible: "\u200b\u200e\u2028\ufeff",
  fakeHealthy: "\r\u001b[32mhealthy\u001b[0m\n"
} as const

/** All of them in one string. */
export const hostileText = Object.values(sequences).join(" ")

/** Control, bidi and invisible characters that must never reach a terminal raw (the line feed between our own lines excepted). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
export const rawUnsafe = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u00ad\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/u

const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url")

/** An unsigned JWT carrying `claims`: the CLI and core only decode it. */
export const jwt = (claims: Record<string, unknown>): string =>
  `${base64url({ alg: "none", typ: "JWT" })}.${base64url(claims)}.`

/** The claims of the token the hostile endpoint hands out. */
export const hostileClaims = {
  aud: `api://hostile/${sequences.retitle}`,
  iss: `https://sts.windows.net/${sequences.clipboard}/`,
  tid: sequences.bidi,
  oid: sequences.c1Colour,
  appid: sequences.retitle,
  azp: sequences.c1Title,
  sub: `${sequences.deviceControl}${sequences.fakeHealthy}`,
  xms_mirid: `/subscriptions/${sequences.c1DeviceControl}${sequences.nextLine}${sequences.invisible}`,
  exp: 4_102_444_800
}

/** An unsigned JWT carrying `hostileClaims`: the CLI only decodes it. */
export const hostileJwt = jwt(hostileClaims)

/**
 * The `resource` the hostile endpoint claims its token is for. Core keeps an endpoint's resource
 * only when it is a plain resource URI, so this one is replaced by the resource asked for.
 */
export const hostileResource = `api://hostile/${hostileText}`

export interface Answer {
  readonly status: number
  readonly body: string
  /** Default: `content-type: application/json; charset=utf-8`. */
  readonly headers?: Readonly<Record<string, string>>
}

/** A 200 token response carrying `accessToken`. */
export const tokenAnswerWith = (accessToken: string): Answer => ({
  status: 200,
  body: JSON.stringify({ access_token: accessToken, expires_in: "3599", token_type: "Bearer" })
})

export const tokenAnswer: Answer = {
  status: 200,
  body: JSON.stringify({
    access_token: hostileJwt,
    expires_in: "3599",
    token_type: `Bearer${sequences.c1Colour}`,
    resource: hostileResource
  })
}

/** The endpoint's own JSON error, with `hostileText` as its description. */
export const errorAnswer = (status: number, error = "invalid_request"): Answer => ({
  status,
  body: JSON.stringify({ error, error_description: hostileText })
})

export interface HostileEndpoint {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string
  /** Answers the next requests with these, in order; then with `tokenAnswer`. */
  readonly answer: (...answers: ReadonlyArray<Answer>) => void
  /** How many requests arrived since the last `answer`. */
  readonly received: () => number
  readonly close: () => Promise<void>
}

export const start = async (): Promise<HostileEndpoint> => {
  const queue: Array<Answer> = []
  let received = 0
  const server = http.createServer((request, response) => {
    received++
    request.resume()
    request.on("end", () => {
      const { status, body, headers } = queue.shift() ?? tokenAnswer
      response.writeHead(status, headers ?? { "content-type": "application/json; charset=utf-8" })
      response.end(body)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const { port } = server.address() as net.AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    answer: (...answers) => {
      queue.length = 0
      queue.push(...answers)
      received = 0
    },
    received: () => received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      })
  }
}
