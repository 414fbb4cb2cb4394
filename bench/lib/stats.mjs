// Medians and ranges. Every number in the report is the median of several runs with its min–max;
// a ratio is the ratio of the two medians, and its range is the min–max of the per-run ratios
// (run i of ours against run i of @azure/identity: runs alternate, so each pair shares conditions).

export const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

/** `{ median, min, max, runs, values }` of a list of numbers. */
export const summarize = (values) => ({
  median: median(values),
  min: Math.min(...values),
  max: Math.max(...values),
  runs: values.length,
  values
})

/** Ours / theirs: the ratio of the medians, and the range of the paired per-run ratios. */
export const ratio = (ours, theirs) => {
  const pairs = []
  for (let i = 0; i < Math.min(ours.values.length, theirs.values.length); i++) {
    pairs.push(ours.values[i] / theirs.values[i])
  }
  return { median: ours.median / theirs.median, min: Math.min(...pairs), max: Math.max(...pairs), runs: pairs.length }
}

/** Rounds to `digits` significant digits, as a string without exponent notation for typical values. */
export const significant = (value, digits = 3) => {
  if (!Number.isFinite(value)) return String(value)
  if (Number.isInteger(value)) return String(value)
  const magnitude = Math.floor(Math.log10(Math.abs(value)))
  const decimals = Math.max(0, digits - 1 - magnitude)
  return value.toFixed(Math.min(decimals, 6))
}

/** `1.23 M`, `456 k`, `789` */
export const compact = (value) => {
  const abs = Math.abs(value)
  if (abs >= 1e6) return `${significant(value / 1e6)} M`
  if (abs >= 1e3) return `${significant(value / 1e3)} k`
  return significant(value)
}

/** `12.3 (11.9–13.0)` with a unit formatter. */
export const spread = (summary, format = significant) =>
  `${format(summary.median)} (${format(summary.min)}–${format(summary.max)})`

export const kib = (bytes) => `${(bytes / 1024).toFixed(1)} KiB`

/** The `p` quantile (0 < p ≤ 1) of a list of numbers, by nearest rank: p99 of 200 values is the 198th smallest. */
export const percentile = (values, p) => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]
}
