// Heap growth per cached token (run with --expose-gc). The scopes are allocated, and `warmup` other
// scopes are fetched first, before the baseline: lazily built state, the JIT's code for the hot path
// and the first growth of the cache's tables are then not counted as if they were per token. Then
// `count` distinct scopes are fetched (16 at a time), the heap is collected again and the growth
// divided by `count`. Results are not kept (their token strings stay reachable through the cache
// anyway), so only what the credential itself retains is counted. The parent checks, from the
// emulator's request log, that every scope was requested exactly once: the tokens really are cached.
import { assertLoopbackEnvironment } from "../lib/guard.cjs"
import { exit, options, report } from "../lib/child.cjs"

assertLoopbackEnvironment()
if (typeof globalThis.gc !== "function") {
  process.stderr.write("memory.mjs needs node --expose-gc\n")
  process.exit(2)
}
const { contender, entry, prefix, count = "10000", warmup = "200" } = options()
const n = Number(count)
const { makeCredential } = await import("../lib/contenders.mjs")
// Ours keeps 4,096 tokens by default (least recently used evicted); room for all of them here.
const credential = await makeCredential(contender, {
  entry,
  managedIdentity: { cache: { maxEntries: n + Number(warmup) + 16 } }
})

const scopes = Array.from({ length: n }, (_, i) => `https://${prefix}-${i}.bench.example/.default`)
const fill = async (list) => {
  let next = 0
  let characters = 0
  let stringBytes = 0
  const worker = async () => {
    while (next < list.length) {
      const { token } = await credential.getToken(list[next++])
      characters += token.length
      // A sequential one-byte V8 string: a 16-byte header (map, hash, length) plus the characters,
      // rounded up to 8 bytes (64-bit Node without pointer compression, as Node's builds ship).
      stringBytes += Math.ceil((16 + token.length) / 8) * 8
    }
  }
  await Promise.all(Array.from({ length: 16 }, worker))
  return { characters, stringBytes }
}
await fill(Array.from({ length: Number(warmup) }, (_, i) => `https://${prefix}-warm-${i}.bench.example/.default`))

const collect = () => {
  for (let i = 0; i < 4; i++) globalThis.gc()
  return process.memoryUsage().heapUsed
}
const before = collect()
const { characters, stringBytes } = await fill(scopes)
const after = collect()

// A second pass over some scopes: they must come from the cache (the parent counts requests).
for (let i = 0; i < Math.min(200, n); i++) await credential.getToken(scopes[(i * 7919) % n])
const perToken = (after - before) / n
report({
  contender,
  count: n,
  heapGrowthBytes: after - before,
  perTokenBytes: perToken,
  averageTokenLength: characters / n,
  tokenStringBytes: stringBytes / n,
  beyondTokenStringBytes: perToken - stringBytes / n
})
exit()
