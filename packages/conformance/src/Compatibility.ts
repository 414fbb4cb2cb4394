/**
 * The cross-SDK compatibility suite: the observable managed-identity behaviours the official SDKs'
 * own unit tests assert (msal-node, MSAL.NET, MSAL-Go, MSAL Python, azidentity, azure-identity for
 * Python and JavaScript), each replayed over loopback HTTP against the emulator. A case scripts the
 * emulator's replies, calls the runtime's real `ManagedIdentityCredential` (Promise API), and checks
 * both sides: the requests the emulator recorded (method, path, api-version, identity parameter,
 * headers present or absent, form) and the outcome (token and expiry, or the error class,
 * `statusCode` and what the message keeps). Every case's title names the test it comes from.
 *
 * Like `Suite.ts` it uses Web APIs only, so a Worker bundle can carry it; the expected behaviour is
 * this library's (`docs/compatibility.md` lists where the SDKs disagree and why).
 *
 * @since 0.1.0
 */
import { appServiceCases } from "./compatibility/appService.js"
import { azureMlCases, cloudShellCases } from "./compatibility/azureMlAndCloudShell.js"
import { arcCases, serviceFabricCases, workloadIdentityCases } from "./compatibility/fileAndPinning.js"
import { imdsCases } from "./compatibility/imds.js"
import type {
  CaseContext,
  CompatibilityCase,
  Expected,
  ExpectedRequest,
  Fixtures,
  Outcome,
  Requirement,
  Scripted,
  Step
} from "./compatibility/model.js"
import { ARM_SCOPE } from "./compatibility/model.js"
import {
  adminCall,
  assertLoopbackOnly,
  type Capabilities,
  type CaseResult,
  type CredentialLike,
  type CredentialOptions,
  check,
  claimsOf,
  describeError,
  type EndpointName,
  endpointOf,
  type Report,
  type Setup as SuiteSetup,
  type SourceKey,
  type Target
} from "./Suite.js"

export type {
  CaseContext,
  CompatibilityCase,
  Expected,
  ExpectedRequest,
  Fixtures,
  Outcome,
  Requirement,
  Scripted,
  Step
} from "./compatibility/model.js"

/**
 * What the runtime gets from the Node process: the conformance suite's setup plus the fixture
 * files the Node side wrote.
 *
 * @since 0.1.0
 * @category models
 */
export interface Setup extends SuiteSetup {
  readonly fixtures: Fixtures
}

/**
 * A case as it runs in one runtime: its title, and the requests it makes per endpoint.
 *
 * @since 0.1.0
 * @category models
 */
export interface RunnableCase extends CompatibilityCase {
  readonly name: string
  /** Whether the runtime can run it; otherwise it checks the refusal instead. */
  readonly refusedHere: boolean
}

/**
 * Every case, grouped by the source it exercises.
 *
 * @since 0.1.0
 * @category cases
 */
export const casesBySource: Readonly<Record<SourceKey, ReadonlyArray<CompatibilityCase>>> = {
  imds: imdsCases,
  appservice: appServiceCases,
  azureml: azureMlCases,
  cloudshell: cloudShellCases,
  arc: arcCases,
  servicefabric: serviceFabricCases,
  workloadidentity: workloadIdentityCases
}

/**
 * Every case, in the order they run.
 *
 * @since 0.1.0
 * @category cases
 */
export const all: ReadonlyArray<CompatibilityCase> = Object.values(casesBySource).flat()

/**
 * A case's title: `<origin> › <detail>`.
 *
 * @since 0.1.0
 * @category cases
 */
export const title = (c: CompatibilityCase): string => `${c.origin} › ${c.detail}`

const needs = (c: CompatibilityCase): ReadonlyArray<Requirement> =>
  c.requires ??
  (c.source === "arc" || c.source === "workloadidentity"
    ? ["fileSystem"]
    : c.source === "servicefabric"
      ? ["certificatePinning"]
      : [])

const lacking: Readonly<Record<Requirement, string>> = {
  fileSystem: "no file system",
  certificatePinning: "no certificate pinning",
  proxyAuthenticationStatus: "fetch hides a 407"
}

/**
 * The cases for a runtime with these capabilities. A case whose source needs a file system or
 * certificate pinning the runtime lacks keeps its title (marked "refused here") but checks instead
 * that the credential refuses with `CredentialUnavailableError` before sending anything; a case
 * that says what to check `otherwise` checks that instead.
 *
 * @since 0.1.0
 * @category cases
 */
export const cases = (capabilities: Capabilities): ReadonlyArray<RunnableCase> =>
  all.map((c) => {
    const need = needs(c).find((capability) => capabilities[capability] === false)
    if (need === undefined) return { ...c, name: title(c), refusedHere: false }
    if (c.otherwise !== undefined) {
      const adapted = { ...c, ...c.otherwise }
      return { ...adapted, name: `${title(adapted)} (here: ${lacking[need]})`, refusedHere: false }
    }
    const { replies: _replies, ...rest } = c
    return {
      ...rest,
      name: `${title(c)} (refused here: ${lacking[need]})`,
      refusedHere: true,
      requests: [],
      steps: [{ expect: { kind: "error", error: "unavailable" } }]
    }
  })

const endpointFor = (c: CompatibilityCase, request?: ExpectedRequest): EndpointName =>
  request?.endpoint ?? endpointOf[c.source]

/**
 * The requests each endpoint receives in a whole run of these cases.
 *
 * @since 0.1.0
 * @category cases
 */
export const expectedRequests = (capabilities: Capabilities): Readonly<Partial<Record<EndpointName, number>>> => {
  const totals: Partial<Record<EndpointName, number>> = {}
  for (const c of cases(capabilities)) {
    for (const request of c.requests) {
      const endpoint = endpointFor(c, request)
      totals[endpoint] = (totals[endpoint] ?? 0) + 1
    }
  }
  return totals
}

// ---------------------------------------------------------------------------------------------
// Running a case
// ---------------------------------------------------------------------------------------------

interface Recorded {
  readonly id: number
  readonly timestamp: number
  readonly endpoint: string
  readonly method: string
  readonly path: string
  readonly query: Readonly<Record<string, string>>
  readonly headers: Readonly<Record<string, string>>
  readonly form?: Readonly<Record<string, string>>
}

/** Fast waits, the source's policy otherwise intact (retry counts, 410 window, Retry-After cap). */
const FAST = { retryDelayInMs: 1, maxRetryDelayInMs: 5 } as const

const show = (value: unknown): string => (typeof value === "string" ? JSON.stringify(value) : String(value))

const matches = (expected: Expected, actual: string | undefined): boolean => {
  if (expected === null) return actual === undefined
  if (actual === undefined) return false
  if (expected === true) return true
  return typeof expected === "string" ? actual === expected : expected.test(actual)
}

const checkFields = (
  what: string,
  expected: Readonly<Record<string, Expected>> | undefined,
  actual: Readonly<Record<string, string>> | undefined,
  exact: boolean | undefined
): void => {
  const fields = actual ?? {}
  for (const [name, value] of Object.entries(expected ?? {})) {
    check(matches(value, fields[name]), `${what} ${name} is ${show(fields[name])}, expected ${show(value)}`)
  }
  if (exact) {
    const allowed = new Set(Object.entries(expected ?? {}).flatMap(([name, value]) => (value === null ? [] : [name])))
    const extra = Object.keys(fields).filter((name) => !allowed.has(name))
    check(extra.length === 0, `${what} has unexpected ${extra.join(", ")}`)
  }
}

const defaultPath = (c: CompatibilityCase, env: Readonly<Record<string, string>>): string | undefined => {
  switch (c.source) {
    case "imds":
      return "/metadata/identity/oauth2/token"
    case "workloadidentity":
      return `/${env.AZURE_TENANT_ID}/oauth2/v2.0/token`
    default: {
      const variable = env.IDENTITY_ENDPOINT ?? env.MSI_ENDPOINT
      return variable === undefined ? undefined : new URL(variable).pathname
    }
  }
}

const checkRequests = (
  c: CompatibilityCase,
  env: Readonly<Record<string, string>>,
  recorded: ReadonlyArray<Recorded>
): void => {
  const summary = recorded.map((r) => `${r.endpoint} ${r.method} ${r.path}`).join("; ")
  check(
    recorded.length === c.requests.length,
    `the emulator received ${recorded.length} request(s), expected ${c.requests.length}${summary === "" ? "" : ` (${summary})`}`
  )
  c.requests.forEach((expected, index) => {
    const actual = recorded[index]!
    const what = `request ${index + 1}:`
    check(actual.endpoint === endpointFor(c, expected), `${what} went to ${actual.endpoint}`)
    check(actual.method === expected.method, `${what} method ${actual.method}, expected ${expected.method}`)
    const path = expected.path ?? defaultPath(c, env)
    if (path !== undefined)
      check(
        typeof path === "string" ? actual.path === path : path.test(actual.path),
        `${what} path ${actual.path}, expected ${String(path)}`
      )
    checkFields(`${what} query`, expected.query, actual.query, expected.exactQuery)
    if (expected.form !== undefined) checkFields(`${what} form`, expected.form, actual.form, expected.exactForm)
    checkFields(`${what} header`, expected.headers, actual.headers, false)
    if (expected.afterPreviousMs !== undefined && index > 0) {
      const gap = actual.timestamp - recorded[index - 1]!.timestamp
      check(
        gap >= expected.afterPreviousMs,
        `${what} came ${gap} ms after the previous one, expected ≥ ${expected.afterPreviousMs}`
      )
    }
  })
}

/** The access tokens a case's replies carry: none may appear in an error message. */
const scriptedTokens = (replies: ReadonlyArray<Scripted>): ReadonlyArray<string> =>
  replies.flatMap((reply) => {
    if (reply.body === undefined) return []
    try {
      const value: unknown = JSON.parse(reply.body)
      const candidate =
        typeof value === "object" && value !== null ? (value as Record<string, unknown>).access_token : undefined
      return typeof candidate === "string" ? [candidate] : []
    } catch {
      return []
    }
  })

type TokenResult = Awaited<ReturnType<CredentialLike["getToken"]>>

const near = (actual: number | undefined, expectedMs: number, what: string): void => {
  check(actual !== undefined, `${what} is missing`)
  check(
    Math.abs((actual ?? 0) - expectedMs) <= 3_000,
    `${what} is ${new Date(actual ?? 0).toISOString()}, expected about ${new Date(expectedMs).toISOString()}`
  )
}

const checkToken = (
  outcome: Extract<Outcome, { kind: "token" }>,
  result: TokenResult,
  context: CaseContext,
  tokens: ReadonlyArray<string>
): void => {
  if (outcome.token !== undefined) check(result.token === outcome.token, "the token is not the one the endpoint sent")
  else if (outcome.claims !== undefined) {
    const claims = claimsOf(result.token)
    for (const [name, value] of Object.entries(outcome.claims)) {
      const actual = String(claims[name] ?? "")
      check(actual.replace(/\/$/, "") === value.replace(/\/$/, ""), `the token's ${name} is ${show(actual)}`)
    }
  } else check(tokens.includes(result.token), "the token is not the one the endpoint sent")
  check(result.tokenType === "Bearer", `tokenType is ${result.tokenType}`)
  if (outcome.expiresIn !== undefined)
    near(result.expiresOnTimestamp, (context.now + outcome.expiresIn) * 1000, "expiresOnTimestamp")
  else check(result.expiresOnTimestamp > Date.now(), "the token is already expired")
  if (outcome.refreshIn !== undefined)
    near(result.refreshAfterTimestamp, (context.now + outcome.refreshIn) * 1000, "refreshAfterTimestamp")
}

const errorClass = (target: Target, kind: Extract<Outcome, { kind: "error" }>["error"]) => {
  switch (kind) {
    case "unavailable":
      return target.errors.CredentialUnavailableError
    case "authentication":
      return target.errors.AuthenticationError
    case "invalid-argument":
      return target.errors.InvalidArgumentError
  }
}

const checkError = (
  outcome: Extract<Outcome, { kind: "error" }>,
  error: unknown,
  target: Target,
  forbidden: ReadonlyArray<string>
): void => {
  const expected = errorClass(target, outcome.error)
  check(expected !== undefined, `the target gives no class for ${outcome.error}`)
  check(
    expected !== undefined && error instanceof expected,
    `expected ${expected?.name ?? outcome.error}, got ${describeError(error)}`
  )
  const message = (error as Error).message
  for (const secret of forbidden)
    check(!message.includes(secret), "the message quotes a secret (a header, key or token value)")
  if (outcome.statusCode !== undefined) {
    const status = (error as { statusCode?: unknown }).statusCode
    check(status === outcome.statusCode, `statusCode is ${String(status)}, expected ${outcome.statusCode}: ${message}`)
  }
  for (const fragment of outcome.message ?? []) {
    check(
      typeof fragment === "string" ? message.includes(fragment) : fragment.test(message),
      `the message does not keep ${String(typeof fragment === "string" ? JSON.stringify(fragment) : fragment)}: ${message}`
    )
  }
}

const faultDefinition = (c: CompatibilityCase, reply: Scripted): unknown => {
  const target = reply.endpoint ?? endpointOf[c.source]
  const schedule = reply.times === "always" ? {} : { times: reply.times ?? 1 }
  if (reply.action !== undefined)
    return `${target}:${reply.action}${reply.times === "always" ? "" : `x${reply.times ?? 1}`}`
  return {
    target,
    action: { kind: "reply", status: reply.status, headers: reply.headers ?? {}, body: reply.body ?? "" },
    ...schedule
  }
}

const environmentOf = (c: CompatibilityCase, context: CaseContext): Record<string, string> => {
  const environment: Record<string, string> = { ...context.env }
  for (const [name, value] of Object.entries(c.env?.(context) ?? {})) {
    if (value === null) delete environment[name]
    else environment[name] = value
  }
  return environment
}

const runSteps = async (
  target: Target,
  c: RunnableCase,
  context: CaseContext,
  environment: Readonly<Record<string, string>>,
  opened: Array<CredentialLike>,
  setup: Setup,
  tokens: ReadonlyArray<string>
): Promise<void> => {
  const options: CredentialOptions = {
    ...c.identity,
    ...(c.retry === false ? {} : { retryOptions: FAST }),
    managedIdentity: {
      endpointGuard: target.endpointGuard,
      sourceOptions: { arcKeyDirectory: setup.keyDirectory },
      ...(c.retry === false ? { retry: false as const } : {})
    }
  }
  const forbidden = [setup.secret, setup.fixtures.arcKeyContent, ...tokens.filter((t) => t.length >= 8)]
  let credential: CredentialLike
  try {
    credential = target.credential(environment, options)
  } catch (error) {
    // Invalid options are refused when the credential is built, before any step.
    const [first] = c.steps
    check(first?.expect.kind === "error", `building the credential threw ${describeError(error)}`)
    return checkError(first!.expect as Extract<Outcome, { kind: "error" }>, error, target, forbidden)
  }
  opened.push(credential)
  for (const [index, step] of c.steps.entries()) {
    const label = `step ${index + 1}`
    const call = credential.getToken(step.scopes ?? ARM_SCOPE, step.claims === undefined ? {} : { claims: step.claims })
    const outcome: Step["expect"] = step.expect
    if (outcome.kind === "token") {
      let result: TokenResult
      try {
        result = await call
      } catch (error) {
        throw new Error(`${label}: expected a token, got ${describeError(error)}`)
      }
      try {
        checkToken(outcome, result, context, tokens)
      } catch (error) {
        throw new Error(`${label}: ${describeError(error)}`)
      }
    } else {
      let failure: unknown
      let succeeded = false
      try {
        await call
        succeeded = true
      } catch (error) {
        failure = error
      }
      check(!succeeded, `${label}: expected ${outcome.error}, but a token arrived`)
      try {
        checkError(outcome, failure, target, forbidden)
      } catch (error) {
        throw new Error(`${label}: ${describeError(error)}`)
      }
    }
  }
}

/**
 * Runs one case: installs its scripted replies, runs its steps with a fresh credential, closes it,
 * and checks the requests the emulator recorded meanwhile.
 *
 * @since 0.1.0
 * @category running
 */
export const runCase = async (target: Target, setup: Setup, c: RunnableCase): Promise<CaseResult> => {
  const call = adminCall(setup.adminUrl)
  const recordedSince = async (after: number): Promise<ReadonlyArray<Recorded>> =>
    ((await call("/requests")).requests as ReadonlyArray<Recorded>).filter((r) => r.id > after)
  const opened: Array<CredentialLike> = []
  let error: string | undefined
  let recorded: ReadonlyArray<Recorded> = []
  await call("/faults", "DELETE")
  const before = (await recordedSince(0)).at(-1)?.id ?? 0
  try {
    const context: CaseContext = {
      now: Math.floor(Date.now() / 1000),
      fixtures: setup.fixtures,
      env: setup.environments[c.source],
      emulatorUrl: setup.adminUrl.replace(/\/admin$/, "")
    }
    const environment = assertLoopbackOnly(environmentOf(c, context), { allowUnspecified: true })
    const replies = c.replies?.(context) ?? []
    if (replies.length > 0)
      await call(
        "/faults",
        "POST",
        replies.map((reply) => faultDefinition(c, reply))
      )
    try {
      await runSteps(target, c, context, environment, opened, setup, scriptedTokens(replies))
    } finally {
      // Closing interrupts background work before the next case.
      await Promise.all(opened.map((credential) => credential.close().catch(() => undefined)))
      await call("/faults", "DELETE")
    }
    recorded = await recordedSince(before)
    checkRequests(c, environment, recorded)
  } catch (failure) {
    error = describeError(failure)
    if (recorded.length === 0) recorded = await recordedSince(before).catch(() => [])
  }
  const requests: Partial<Record<EndpointName, number>> = {}
  for (const r of recorded) requests[r.endpoint as EndpointName] = (requests[r.endpoint as EndpointName] ?? 0) + 1
  return error === undefined ? { name: c.name, ok: true, requests } : { name: c.name, ok: false, error, requests }
}

/**
 * Runs every case in order.
 *
 * @since 0.1.0
 * @category running
 */
export const run = async (target: Target, setup: Setup): Promise<Report> => {
  const results: Array<CaseResult> = []
  for (const c of cases(target.capabilities)) results.push(await runCase(target, setup, c))
  return { runtime: target.runtime, results }
}
