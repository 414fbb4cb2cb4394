/**
 * The emulator's timers (fault windows, slow answers, latency, token file rotation), kept in one
 * place so closing the emulator cancels every one of them.
 */

export class Timers {
  readonly #timers = new Set<NodeJS.Timeout>()

  /** Runs `run` once after `ms` milliseconds. */
  later(ms: number, run: () => void): void {
    const timer = setTimeout(() => {
      this.#timers.delete(timer)
      run()
    }, ms)
    this.#timers.add(timer)
  }

  /** Resolves after `ms` milliseconds; never, once the timers are cleared. */
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.later(ms, resolve))
  }

  /** Runs `run` every `ms` milliseconds without keeping the process alive. */
  every(ms: number, run: () => void): void {
    const timer = setInterval(run, ms)
    timer.unref()
    this.#timers.add(timer)
  }

  /** Cancels every pending timer. */
  clear(): void {
    for (const timer of this.#timers) clearTimeout(timer)
    this.#timers.clear()
  }
}
