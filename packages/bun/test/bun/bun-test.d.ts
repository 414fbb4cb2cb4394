// The `bun:test` functions the Bun-run tests use (Bun's own types are not installed).
declare module "bun:test" {
  export function test(name: string, fn: () => Promise<void> | void, timeoutMs?: number): void
}
