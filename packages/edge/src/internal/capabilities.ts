/**
 * What an edge runtime cannot do, in words: shared by the Effect API's layer and the Promise API
 * (which loads no Effect module).
 *
 * @internal
 */

/** @internal */
export const NO_FILE_SYSTEM =
  "edge runtimes (Cloudflare Workers, Vercel Edge, Deno Deploy, Netlify Edge) have no file system"

/** @internal */
export const NO_CERTIFICATE_PINNING = "an edge runtime's fetch always validates the certificate chain"
