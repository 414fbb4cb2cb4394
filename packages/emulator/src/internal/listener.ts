/**
 * One listening port on 127.0.0.1 that can stop listening (the `refuse` fault: new connections
 * get ECONNREFUSED) and listen again on the same port, and that tracks every socket so closing
 * ends hung (black-holed) connections too.
 */
import type { Server } from "node:http"
import type { Socket } from "node:net"

export const loopback = "127.0.0.1"

export class Listener {
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
