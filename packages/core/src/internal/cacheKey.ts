/**
 * The token cache's key: source, identity and resource, unambiguously. Pure, so the Promise API's
 * first request and the Effect engine file a token under the same key.
 *
 * @internal
 */
import * as Identity from "../Identity.js"

/** @internal */
export const key = (parts: {
  readonly source: string
  readonly identity: Identity.Identity
  readonly resource: string
}): string => JSON.stringify([parts.source, Identity.key(parts.identity), parts.resource])
