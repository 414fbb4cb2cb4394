/**
 * What a claims challenge (Continuous Access Evaluation) can do on a source, from its descriptor's
 * `claims`: whether a token a resource rejected can be replaced by a new one, or may come back.
 */
import type { ClaimsSupport } from "@managed-identity/core/Source"
import * as SourceCatalog from "@managed-identity/core/SourceCatalog"
import type { SourceName } from "@managed-identity/core/SourceName"

export interface ClaimsChallenge {
  readonly support: ClaimsSupport
  readonly explanation: string
}

const explanations: Record<ClaimsSupport, (source: SourceName) => string> = {
  entra: () =>
    "On a claims challenge (CAE) the library passes the claims to Microsoft Entra, which mints a new token that satisfies them.",
  revocation: (source) =>
    `On a claims challenge (CAE) the library sends the rejected token's SHA-256 (token_sha256_to_refresh), so the ${source} endpoint mints a new token instead of answering from its cache.`,
  none: (source) =>
    `A claims challenge (CAE) cannot make the ${source} endpoint bypass its own token cache: until it renews the token it may answer with the same one, so a revoked or re-scoped token can come back.`
}

export const claimsChallenge = (source: SourceName): ClaimsChallenge => {
  const support = SourceCatalog.get(source).claims
  return { support, explanation: explanations[support](source) }
}
