/**
 * Why the Bun adapter does not pin with `fetch`: run by test/BunCertificatePinning.test.ts against
 * the emulator's self-signed Service Fabric endpoint, with a `checkServerIdentity` that rejects
 * every certificate. Prints, as one JSON line, whether it was called and what happened.
 */
const url = process.argv[2] ?? ""

const attempt = async (rejectUnauthorized: boolean) => {
  let calls = 0
  try {
    const response = await fetch(url, {
      tls: {
        rejectUnauthorized,
        checkServerIdentity: () => {
          calls++
          return new Error("pin mismatch")
        }
      }
    } as RequestInit)
    return { calls, outcome: `status ${response.status}` }
  } catch (error) {
    return { calls, outcome: `error ${(error as { code?: string }).code ?? (error as Error).name}` }
  }
}

console.log(JSON.stringify({ lenient: await attempt(false), strict: await attempt(true) }))
