/**
 * The Azure Arc challenge: each unauthenticated request gets a fresh random secret written to
 * `<keyDirectory>/<random>.key`, and a request proves it can read that directory by sending the
 * file's contents back as `Authorization: Basic <secret>`.
 */
import { randomBytes } from "node:crypto"
import { rmSync, writeFileSync } from "node:fs"
import { join } from "node:path"

export class ArcKeys {
  readonly #directory: string
  readonly #secrets = new Set<string>()
  readonly #files: Array<string> = []

  constructor(directory: string) {
    this.#directory = directory
  }

  /** Writes a new key file (readable by its owner only) and returns its path. */
  challenge(): string {
    const secret = randomBytes(32).toString("hex")
    const path = join(this.#directory, `${randomBytes(8).toString("hex")}.key`)
    writeFileSync(path, secret, { mode: 0o600 })
    this.#secrets.add(secret)
    this.#files.push(path)
    return path
  }

  accepts(secret: string): boolean {
    return this.#secrets.has(secret)
  }

  /** Deletes every key file written. */
  dispose(): void {
    for (const file of this.#files.splice(0)) rmSync(file, { force: true })
    this.#secrets.clear()
  }
}
