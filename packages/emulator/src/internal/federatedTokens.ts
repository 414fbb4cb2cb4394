/**
 * The federated (service-account) tokens the emulator mints for workload identity, and the
 * default token file it keeps fresh, as the kubelet does with a projected service-account token.
 */
import { writeFileSync } from "node:fs"
import { writeFile } from "node:fs/promises"
import type { FederatedTokenOptions } from "../Emulator.js"
import * as Entra from "./entra.js"
import { tokenExchangeAudience } from "./identities.js"
import type { Timers } from "./timers.js"

const defaultSubject = "system:serviceaccount:default:workload-identity-sa"
/** Well before the default token's one-hour expiry. */
const rotationMs = 600_000

export class FederatedTokens {
  /** Where `writeDefault` writes. */
  readonly defaultFile: string
  readonly #entra: Entra.EntraContext
  readonly #timers: Timers
  readonly #closed: () => boolean
  #rotating = false

  constructor(entra: Entra.EntraContext, defaultFile: string, timers: Timers, closed: () => boolean) {
    this.defaultFile = defaultFile
    this.#entra = entra
    this.#timers = timers
    this.#closed = closed
  }

  /** A token the Entra endpoint accepts as `client_assertion`. */
  mint(options: FederatedTokenOptions = {}): string {
    return Entra.mintFederatedToken(this.#entra, {
      subject: options.subject ?? defaultSubject,
      audience: options.audience ?? tokenExchangeAudience,
      lifetimeSeconds: options.lifetimeSeconds ?? 3600
    })
  }

  /** Writes a fresh token to the default file, which from then on is rotated; returns its path. */
  writeDefault(): string {
    writeFileSync(this.defaultFile, this.mint(), { mode: 0o600 })
    if (!this.#rotating) {
      this.#rotating = true
      this.#timers.every(rotationMs, () => {
        if (!this.#closed()) writeFileSync(this.defaultFile, this.mint(), { mode: 0o600 })
      })
    }
    return this.defaultFile
  }

  /** `Emulator.writeFederatedTokenFile`: with neither argument, the rotated default file. */
  async write(path?: string, options?: FederatedTokenOptions): Promise<string> {
    if (path === undefined && options === undefined) return this.writeDefault()
    const target = path ?? this.defaultFile
    await writeFile(target, this.mint(options), { mode: 0o600 })
    return target
  }
}
