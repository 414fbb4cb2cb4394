/**
 * Starting the emulator: settle the options, create its state (temporary folder, signing key,
 * certificate, identities, request log, faults), open the listeners, wire the request handler
 * and put the public `Emulator` object together. Each part lives in its own module: `router`
 * (which handler answers), `faultApplication` (what a fault does to an answer), `listeners`
 * (ports, refusals, shutdown), `handler` (one request end to end), `admin`, `requestLog`.
 */
import { mkdirSync, mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import type { Emulator, EmulatorOptions, ManagedIdentity } from "../Emulator.js"
import { ArcKeys } from "./arcKeys.js"
import { generateCertificate } from "./certificate.js"
import * as Entra from "./entra.js"
import { envFor } from "./environment.js"
import { FaultEngine, faultController } from "./faults.js"
import { FederatedTokens } from "./federatedTokens.js"
import { makeHandler } from "./handler.js"
import { IdentityStore, registry } from "./identities.js"
import { generateSigningKey } from "./jwt.js"
import { openListeners } from "./listeners.js"
import { settingsOf } from "./options.js"
import { RequestLog } from "./requestLog.js"
import { Timers } from "./timers.js"
import { issueToken } from "./tokens.js"

/** Starts the emulator (see `Emulator.start`). */
export const startEmulator = async (options: EmulatorOptions): Promise<Emulator> => {
  const settings = settingsOf(options)
  const { now, tenantId, secret } = settings

  const stateDirectory = mkdtempSync(join(tmpdir(), "managed-identity-emulator-"))
  const keyDirectory = settings.keyDirectory ?? join(stateDirectory, "tokens")
  mkdirSync(keyDirectory, { recursive: true, mode: 0o700 })

  const identities = new IdentityStore(settings.subscriptionId)
  for (const input of settings.identities) identities.add(input)
  const key = generateSigningKey()
  // TLS clients check validity against the real clock, never the injected one.
  const certificate = await generateCertificate(Date.now())
  const log = new RequestLog(now)
  const engine = new FaultEngine(now, settings.random)
  const arcKeys = new ArcKeys(keyDirectory)
  const timers = new Timers()
  let closed = false

  const listeners = await openListeners({
    port: settings.port,
    httpsPort: settings.httpsPort,
    tls: { cert: certificate.certificate, key: certificate.privateKey }
  }).catch((error: unknown) => {
    // A taken port: leave no temporary files behind either.
    rmSync(stateDirectory, { recursive: true, force: true })
    throw error
  })
  const { url, httpsUrl } = listeners

  const issue = (identity: ManagedIdentity, audience: string) =>
    issueToken({ key, tenantId, lifetimeSeconds: settings.tokenLifetimeSeconds, now }, identity, audience)
  const { acceptsResource } = settings
  const entra: Entra.EntraContext = {
    identities,
    tenantId,
    key,
    federatedIssuer: `${url}/oidc`,
    issue,
    acceptsResource,
    now
  }
  const contexts = {
    protocols: {
      identities,
      issue,
      secret,
      tenantId,
      legacyExpiresOn: settings.legacyExpiresOn,
      missingMetadataError: settings.missingMetadataError,
      acceptsResource,
      arcChallenge: () => arcKeys.challenge(),
      arcAccepts: (candidate: string) => arcKeys.accepts(candidate)
    },
    entra
  }

  const faults = faultController(engine, listeners, timers)
  for (const definition of settings.faults) faults.add(definition)

  const federatedTokens = new FederatedTokens(entra, join(stateDirectory, "federated-token"), timers, () => closed)
  const endpoints = {
    url,
    httpsUrl,
    secret,
    tenantId,
    thumbprint: certificate.thumbprint,
    identities,
    federatedTokenFile: () => federatedTokens.writeDefault()
  }
  const requests = log.view()
  const identityRegistry = registry(identities)

  const emulator: Emulator = {
    url,
    port: listeners.port,
    httpsUrl,
    httpsPort: listeners.httpsPort,
    get env() {
      return envFor(endpoints, "imds")
    },
    envFor: (source) => envFor(endpoints, source),
    requests,
    faults,
    identities: identityRegistry,
    jwks: Entra.jwks(key.jwk),
    thumbprint: certificate.thumbprint,
    certificate: certificate.certificate,
    keyDirectory,
    tenantId,
    secret,
    federatedIssuer: entra.federatedIssuer,
    mintFederatedToken: (tokenOptions) => federatedTokens.mint(tokenOptions),
    writeFederatedTokenFile: (path, tokenOptions) => federatedTokens.write(path, tokenOptions),
    close: async () => {
      if (closed) return
      closed = true
      timers.clear()
      await listeners.close()
      arcKeys.dispose()
      rmSync(stateDirectory, { recursive: true, force: true })
    }
  }
  // Not enumerable, so logging or serializing the emulator object does not print the secret.
  Object.defineProperty(emulator, "secret", { enumerable: false })

  listeners.serve(
    makeHandler({
      url,
      httpsUrl,
      endpoints: contexts,
      log,
      engine,
      answering: { now, timers, closed: () => closed },
      admin: { emulator, faults, requests, identities: identityRegistry },
      spare: (socket) => listeners.spare(socket),
      notice: settings.log
    })
  )
  await faults.settled()
  return emulator
}
