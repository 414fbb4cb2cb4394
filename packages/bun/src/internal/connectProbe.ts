import * as net from "node:net"

/**
 * Opens a socket: `node:net`'s `connect` in Deno and Bun, a fake in tests.
 *
 * @internal
 */
export type Connect = (options: { readonly host: string; readonly port: number }) => net.Socket

/**
 * A connect that got no answer in time, shaped as Node reports one (`ETIMEDOUT` on `connect`), so
 * the core classifies it as "no endpoint here" (`Unavailable`, `probe-timeout`).
 *
 * @internal
 */
export const connectTimeout = (host: string, timeoutMs: number): Error =>
  Object.assign(new Error(`connect ETIMEDOUT ${host}: no connection within ${timeoutMs} ms`), {
    name: "ConnectTimeoutError",
    code: "ETIMEDOUT",
    syscall: "connect"
  })

/**
 * `fetch` has no connect timeout, so the first request to a plain-HTTP origin is preceded by a TCP
 * connect with one: the first token request is also the probe that tells "nothing at this address"
 * (a dropped SYN, as for IMDS off Azure) from "endpoint slow". An origin that accepted once is not
 * probed again. Only plain-HTTP origins are probed: they are reached directly, while HTTPS ones may
 * go through a proxy, where a direct connect says nothing.
 *
 * @internal
 */
export const make = (timeoutMs: number, connect: Connect = (options) => net.connect(options)) => {
  const reachable = new Set<string>()
  return (url: URL, signal?: AbortSignal | null): Promise<void> => {
    if (url.protocol !== "http:" || timeoutMs <= 0 || reachable.has(url.host)) return Promise.resolve()
    const host = url.hostname.replace(/^\[(.*)\]$/, "$1")
    const port = Number(url.port || "80")
    return new Promise((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason)
        return
      }
      const socket = connect({ host, port })
      const finish = (error?: unknown) => {
        clearTimeout(timer)
        signal?.removeEventListener("abort", onAbort)
        socket.removeAllListeners()
        // Nothing may surface from a socket that is being thrown away.
        socket.on("error", () => undefined)
        socket.destroy()
        if (error === undefined) {
          reachable.add(url.host)
          resolve()
        } else {
          reject(error)
        }
      }
      const onAbort = () => finish(signal?.reason)
      const timer = setTimeout(() => finish(connectTimeout(`${host}:${port}`, timeoutMs)), timeoutMs)
      socket.once("connect", () => finish())
      socket.once("error", (error) => finish(error))
      signal?.addEventListener("abort", onAbort, { once: true })
    })
  }
}
