/**
 * The connect-timeout failure, in a module of its own: the Promise API's first request uses it
 * without loading the Effect runtime that `NodeConnection`'s other members need.
 *
 * @internal
 */
import { CONNECT_TIMEOUT_CODE } from "@managed-identity/core/HttpRequest"
import * as Data from "effect/Data"

/**
 * No TCP (or TLS) connection within the connect timeout (`NodeConnection.ConnectTimeoutError`).
 *
 * @internal
 */
export class ConnectTimeoutError extends Data.TaggedError("ConnectTimeoutError")<{
  readonly host: string
  readonly timeoutMs: number
  readonly message: string
}> {
  /** Core's code for a connect timeout, which classification reads. */
  readonly code: typeof CONNECT_TIMEOUT_CODE = CONNECT_TIMEOUT_CODE

  constructor(props: { readonly host: string; readonly timeoutMs: number }) {
    super({ ...props, message: `connect timeout: no connection to ${props.host} within ${props.timeoutMs} ms` })
  }
}
