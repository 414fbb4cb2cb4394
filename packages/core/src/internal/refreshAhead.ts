/**
 * Refresh-ahead's one rule, shared by the Effect token cache and the Promise API's client: a token
 * past its `refreshOn` (and still valid) is answered and refreshed in the background, unless a
 * refresh is already running or the last one failed less than the retry interval ago.
 *
 * @internal
 */

/** The shortest gap between failed background refreshes of one key, by default. @internal */
export const REFRESH_RETRY_INTERVAL_MS = 30_000

/** Whether to start a background refresh now. @internal */
export const refreshDue = (
  inflight: unknown,
  lastRefreshFailureAt: number | undefined,
  now: number,
  intervalMs: number
): boolean => inflight === undefined && (lastRefreshFailureAt === undefined || now - lastRefreshFailureAt >= intervalMs)
