/**
 * Certificate thumbprints as Service Fabric gives them: SHA-1 (40 hex digits) or SHA-256 (64), in
 * any case, with colons or spaces.
 *
 * @internal
 */

/**
 * The thumbprint in upper-case hex without separators, or `undefined` when it is not one.
 *
 * @internal
 */
export const normalizeThumbprint = (thumbprint: string): string | undefined => {
  const hex = thumbprint.replace(/[\s:]/g, "").toUpperCase()
  return /^[0-9A-F]+$/.test(hex) && (hex.length === 40 || hex.length === 64) ? hex : undefined
}
