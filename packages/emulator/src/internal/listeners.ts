/**
 * The emulator's two loopback ports: plain HTTP for every endpoint and HTTPS (Service Fabric's
 * scheme) for every endpoint too. Each can stop listening while a `refuse` fault is in force and
 * listen again on the same port, and closing ends every connection, hung ones included.
 */
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from "node:http"
import { createServer as createHttpsServer } from "node:https"
import type { Socket } from "node:net"
import type { Fault } from "../Fault.js"
import { imdsError, writeReply } from "./replies.js"

const loopback = "127.0.0.1"

/**
 * One listening port on 127.0.0.1 that can stop listening (the `refuse` fault: new connections
 * get ECONNREFUSED) and listen again on the same port, and that tracks every socket so closing
 * ends hung (black-holed) connections too.
 */
class Listener {
  readonly server: Server
  readonly #sockets = new Set<Socket>()
  #port = 0
  #listening = false
  #closed = false
  #transitions: Promise<void> = Promise.resolve()

  readonly #spare: (socket: Socket) => boolean

  /** `spare` keeps a socket open when listening stops (the admin API's own connection). */
  constructor(server: Server, spare: (socket: Socket) => boolean = () => false) {
    this.server = server
    this.#spare = spare
    // TLS servers report the raw TCP socket on "connection" too, so this covers both schemes.
    server.on("connection", (socket: Socket) => {
      this.#sockets.add(socket)
      socket.once("close", () => this.#sockets.delete(socket))
    })
  }

  get port(): number {
    return this.#port
  }

  /** Binds to 127.0.0.1 (`port` 0 picks a free one). */
  listen(port: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const onError = (error: Error) => reject(error)
      this.server.once("error", onError)
      this.server.listen(port, loopback, () => {
        this.server.off("error", onError)
        const address = this.server.address()
        this.#port = typeof address === "object" && address !== null ? address.port : port
        this.#listening = true
        resolve()
      })
    })
  }

  /** Stops or resumes listening; transitions run one after another. */
  refuse(refusing: boolean): Promise<void> {
    this.#transitions = this.#transitions.then(() =>
      this.#closed || refusing !== this.#listening
        ? undefined
        : refusing
          ? this.#stop()
          : this.listen(this.#port).catch(() => {
              // The port was taken while refusing; the listener stays down rather than moving port.
            })
    )
    return this.#transitions
  }

  settled(): Promise<void> {
    return this.#transitions
  }

  #stop(): Promise<void> {
    this.#listening = false
    // The listening handle closes at once; close()'s callback would also wait for spared
    // connections, so the transition does not wait for it.
    this.server.close()
    // Kept-alive connections would still be served; a host that stopped listening answers nothing.
    for (const socket of this.#sockets) if (!this.#spare(socket)) socket.destroy()
    return new Promise((resolve) => setImmediate(resolve))
  }

  destroySockets(): void {
    for (const socket of this.#sockets) socket.destroy()
  }

  /** Stops listening for good and ends every connection, hung ones included. */
  async close(): Promise<void> {
    this.#closed = true
    await this.#transitions
    const wasListening = this.#listening
    this.#listening = false
    await new Promise<void>((resolve) => {
      if (!wasListening) return resolve()
      this.server.close(() => resolve())
      this.destroySockets()
    })
    this.destroySockets()
  }
}

export type Scheme = "http" | "https"

/** Answers one request received on either port. */
export type Handler = (request: IncomingMessage, response: ServerResponse, scheme: Scheme) => Promise<void>

export interface ListenersOptions {
  /** 0 picks a free port. */
  readonly port: number
  readonly httpsPort: number
  /** The HTTPS port's certificate and private key (PEM). */
  readonly tls: { readonly cert: string; readonly key: string }
}

/** Both ports, listening. */
export interface Listeners {
  readonly port: number
  readonly httpsPort: number
  /** `http://127.0.0.1:<port>`. */
  readonly url: string
  /** `https://127.0.0.1:<httpsPort>`. */
  readonly httpsUrl: string
  /** Starts answering requests with `handler`; until then every request is answered 500. */
  serve(handler: Handler): void
  /** Keeps this connection open when its port stops listening (the admin API's own connection). */
  spare(socket: Socket): void
  /** Stops or resumes each port so it follows the `refuse` faults in force. */
  follow(refusals: ReadonlyArray<Fault>): Promise<void>
  /** Resolves once every stop and resume asked for so far is done. */
  settled(): Promise<void>
  /** Stops listening for good and ends every connection. */
  close(): Promise<void>
}

/** Opens both ports on 127.0.0.1; if either cannot listen (a taken port), neither is left open. */
export const openListeners = async (options: ListenersOptions): Promise<Listeners> => {
  let handler: Handler | undefined
  // A bug in a handler must answer 500, not crash the process the emulator runs in.
  const guarded = (scheme: Scheme) => (request: IncomingMessage, response: ServerResponse) => {
    // Deferred, so a request arriving while start() is still wiring things up fails as a 500 too.
    Promise.resolve()
      .then(() => {
        if (handler === undefined) throw new Error("The emulator is not serving yet")
        return handler(request, response, scheme)
      })
      .catch(() => {
        if (response.headersSent) response.destroy()
        else writeReply(response, imdsError(500, "unknown", "The emulator failed to handle this request"))
      })
  }
  // The admin API's connections survive `refuse`, so it can answer (and later clear) the refusal.
  const spared = new WeakSet<Socket>()
  const http = new Listener(createHttpServer(guarded("http")), (socket) => spared.has(socket))
  const https = new Listener(createHttpsServer(options.tls, guarded("https")))
  try {
    await http.listen(options.port)
    await https.listen(options.httpsPort)
  } catch (error) {
    await Promise.all([http.close(), https.close()])
    throw error
  }
  return {
    port: http.port,
    httpsPort: https.port,
    url: `http://${loopback}:${http.port}`,
    httpsUrl: `https://${loopback}:${https.port}`,
    serve: (next) => {
      handler = next
    },
    spare: (socket) => {
      spared.add(socket)
    },
    follow: (refusals) => {
      // Service Fabric is served over HTTPS only; `*` refuses both ports.
      const refusesHttp = refusals.some((fault) => fault.target !== "servicefabric")
      const refusesHttps = refusals.some((fault) => fault.target === "servicefabric" || fault.target === "*")
      return Promise.all([http.refuse(refusesHttp), https.refuse(refusesHttps)]).then(() => undefined)
    },
    settled: () => Promise.all([http.settled(), https.settled()]).then(() => undefined),
    close: () => Promise.all([http.close(), https.close()]).then(() => undefined)
  }
}
