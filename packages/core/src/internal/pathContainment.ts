/**
 * Pure path checks for Azure Arc's key file: the endpoint names a file in its challenge, and we
 * read it only if it lies inside the agent's token directory. Paths are compared lexically after
 * resolving `.` and `..`; both `/` and `\` count as separators on every platform (a name with a
 * backslash in it is suspicious enough to refuse); Windows compares case-insensitively.
 *
 * @internal
 */
import type { Platform } from "../Environment.js"

/**
 * An absolute path split into its root and its segments.
 *
 * @internal
 */
export interface NormalizedPath {
  readonly root: string
  readonly segments: ReadonlyArray<string>
}

/**
 * Normalizes an absolute path, or `undefined` when it is relative, climbs above its root, holds
 * control characters, or (on Windows) is a UNC or device path.
 *
 * @internal
 */
export const normalize = (path: string, platform: Platform): NormalizedPath | undefined => {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
  if (typeof path !== "string" || path.length === 0 || /[\u0000-\u001f]/.test(path)) return undefined
  let root: string
  let rest: string
  if (platform === "windows") {
    const drive = /^([A-Za-z]):[\\/]/.exec(path)
    if (drive === null) return undefined
    root = `${drive[1]!.toUpperCase()}:`
    rest = path.slice(3)
  } else {
    if (!path.startsWith("/")) return undefined
    root = "/"
    rest = path.slice(1)
  }
  const segments: Array<string> = []
  for (const segment of rest.split(/[\\/]+/)) {
    if (segment === "" || segment === ".") continue
    if (segment === "..") {
      if (segments.length === 0) return undefined
      segments.pop()
      continue
    }
    // Windows ignores trailing dots and spaces ("tokens." is "tokens"); refuse such names.
    if (platform === "windows" && /[. ]$/.test(segment)) return undefined
    segments.push(segment)
  }
  return { root, segments }
}

/**
 * Whether `path` is directly inside `directory` (a file in it, not in a directory below it).
 *
 * @internal
 */
export const isInside = (directory: string, path: string, platform: Platform): boolean => {
  const dir = normalize(directory, platform)
  const file = normalize(path, platform)
  if (dir === undefined || file === undefined) return false
  const same = (a: string, b: string) => (platform === "windows" ? a.toLowerCase() === b.toLowerCase() : a === b)
  // Directly inside: the agent writes its key files in the directory itself, never below it (as
  // MSAL's and azidentity's checks also require).
  if (!same(dir.root, file.root) || file.segments.length !== dir.segments.length + 1) return false
  return dir.segments.every((segment, i) => same(segment, file.segments[i]!))
}

/**
 * The last segment of a path (either separator).
 *
 * @internal
 */
export const baseName = (path: string): string => {
  const parts = path.split(/[\\/]/)
  return parts[parts.length - 1] ?? ""
}
