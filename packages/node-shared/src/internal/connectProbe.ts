import * as Duration from "effect/Duration"
import type * as ConnectProbe from "../ConnectProbe.js"
import { ConnectTimeoutError } from "./connectTimeout.js"

/** @internal */
export const make = (net: ConnectProbe.NetModule, timeout: Duration.DurationInput): ConnectProbe.ConnectProbe => {
  const timeoutMs = Duration.toMillis(timeout)
  const reachable = new Set<string>()
  return (url, signal) => {
    if (url.protocol !== "http:" || timeoutMs <= 0 || reachable.has(url.host)) return Promise.resolve()
    const host = url.hostname.replace(/^\[(.*)\]$/, "$1")
    const port = Number(url.port || "80")
    return new Promise((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason)
        return
      }
      const socket = net.connect({ host, port })
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
      const timer = setTimeout(() => finish(new ConnectTimeoutError({ host: `${host}:${port}`, timeoutMs })), timeoutMs)
      socket.once("connect", () => finish())
      socket.once("error", (error: unknown) => finish(error))
      signal?.addEventListener("abort", onAbort, { once: true })
    })
  }
}
