import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { CertificatePinning, Classification, Environment, ManagedIdentity } from "../src/index.js"
import { fakeHttp } from "./support/sourceFakes.js"

const pinMismatch = Object.assign(
  new Error("127.0.0.1: certificate fingerprint does not match the pinned thumbprint"),
  {
    _tag: "CertificatePinError",
    code: "ERR_MI_CERTIFICATE_PIN"
  }
)

describe("certificate rejection", () => {
  it.each([
    ["an adapter's pin mismatch", new TypeError("fetch failed", { cause: pinMismatch })],
    [
      "a self-signed certificate",
      Object.assign(new Error("self-signed certificate"), { code: "DEPTH_ZERO_SELF_SIGNED_CERT" })
    ],
    [
      "a wrong host name",
      Object.assign(new Error("Hostname/IP does not match"), { code: "ERR_TLS_CERT_ALTNAME_INVALID" })
    ]
  ])("%s is Rejected: retrying cannot fix it", (_, transport) => {
    const error = Classification.classify({
      source: "ServiceFabric",
      transport,
      endpoint: "https://127.0.0.1:2377/x?y=1"
    })
    expect(error._tag).toBe("Rejected")
    expect(error.message).toContain("TLS certificate")
    expect(error.message).not.toContain("y=1")
  })

  it.scoped("a runtime that cannot pin refuses Service Fabric with its reason, before any request", () =>
    Effect.gen(function* () {
      const http = fakeHttp([{ body: "{}" }])
      const made = ManagedIdentity.make({ endpointGuard: ManagedIdentity.allowLoopbackOnly, retry: false }).pipe(
        Effect.provide(
          Layer.mergeAll(
            http.layer,
            Environment.layer({
              IDENTITY_ENDPOINT: "https://127.0.0.1:2377/metadata/identity/oauth2/token",
              IDENTITY_HEADER: "secret-value",
              IDENTITY_SERVER_THUMBPRINT: "A".repeat(40)
            }),
            CertificatePinning.unsupported("this runtime has no TLS hooks")
          )
        )
      )
      const error = yield* Effect.flip(made)
      expect(error).toMatchObject({ _tag: "Unavailable", reason: "unsupported-runtime", source: "ServiceFabric" })
      expect(error.message).toContain("this runtime has no TLS hooks")
      expect(http.recorded).toHaveLength(0)
    })
  )
})
