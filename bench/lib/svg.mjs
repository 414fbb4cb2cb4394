// The ratio chart, written by hand (no dependencies): one horizontal bar per metric on a log scale,
// growing from parity (1×) towards ours / @azure/identity, a whisker for the min–max of the runs and
// a tick at the target. Green: target met; red: missed; grey: no target (reported for context).

const escape = (text) =>
  String(text).replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c])

const format = (value) => {
  if (value >= 100) return `${value.toFixed(0)}×`
  if (value >= 10) return `${value.toFixed(1)}×`
  if (value >= 0.1) return `${value.toFixed(2)}×`
  return `1/${Math.round(1 / value)}`
}

/**
 * rows: { label, note, ratio: { median, min, max }, target?, better: "higher" | "lower", status }, or
 * { heading } for a group title.
 */
export const ratioChart = (rows, { title, subtitle }) => {
  const width = 1040
  const left = 330
  const right = 230
  const rowHeight = 40
  const headingHeight = 28
  const top = 76
  const plotWidth = width - left - right
  const bars = rows.filter((r) => r.heading === undefined)
  const values = bars.flatMap((r) => [r.ratio.min, r.ratio.max, r.ratio.median, r.target ?? 1]).filter((v) => v > 0)
  const lowDecade = Math.floor(Math.log10(Math.min(...values, 1)))
  const highDecade = Math.ceil(Math.log10(Math.max(...values, 1)))
  const span = Math.max(1, highDecade - lowDecade)
  const x = (value) => left + ((Math.log10(value) - lowDecade) / span) * plotWidth
  // Each row's top edge; headings are shorter than bars.
  const offsets = []
  let plotHeight = 0
  for (const row of rows) {
    offsets.push(plotHeight)
    plotHeight += row.heading === undefined ? rowHeight : headingHeight
  }
  const height = top + plotHeight + 56
  const colors = { pass: "#2e7d32", fail: "#c62828", info: "#9e9e9e" }

  const parts = []
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, -apple-system, Segoe UI, sans-serif" font-size="13">`
  )
  parts.push(`<title>${escape(title)}</title>`)
  parts.push(`<rect width="${width}" height="${height}" fill="#ffffff"/>`)
  parts.push(`<text x="16" y="26" font-size="17" font-weight="600">${escape(title)}</text>`)
  parts.push(`<text x="16" y="46" fill="#555">${escape(subtitle)}</text>`)

  // Decade grid lines and labels.
  for (let d = lowDecade; d <= highDecade; d++) {
    const gx = x(10 ** d)
    parts.push(
      `<line x1="${gx}" y1="${top - 8}" x2="${gx}" y2="${top + plotHeight}" stroke="${d === 0 ? "#333" : "#e0e0e0"}" stroke-width="${d === 0 ? 1.5 : 1}"/>`
    )
    const label = d >= 0 ? `${10 ** d}×` : `1/${10 ** -d}`
    parts.push(`<text x="${gx}" y="${top + plotHeight + 18}" text-anchor="middle" fill="#555">${label}</text>`)
  }
  parts.push(
    `<text x="${x(1)}" y="${top - 14}" text-anchor="middle" fill="#333">parity (ours = @azure/identity)</text>`
  )

  rows.forEach((row, i) => {
    if (row.heading !== undefined) {
      const y = top + offsets[i]
      parts.push(`<rect x="0" y="${y + 2}" width="${width}" height="${headingHeight - 4}" fill="#f3f3f3"/>`)
      parts.push(
        `<text x="16" y="${y + headingHeight / 2 + 5}" font-weight="600" fill="#333">${escape(row.heading)}</text>`
      )
      return
    }
    const cy = top + offsets[i] + rowHeight / 2
    const color = colors[row.status] ?? colors.info
    const x0 = x(1)
    const x1 = x(row.ratio.median)
    parts.push(`<text x="16" y="${cy - 2}" font-weight="600">${escape(row.label)}</text>`)
    parts.push(`<text x="16" y="${cy + 13}" fill="#666" font-size="11">${escape(row.note)}</text>`)
    parts.push(
      `<rect x="${Math.min(x0, x1)}" y="${cy - 9}" width="${Math.max(1, Math.abs(x1 - x0))}" height="18" fill="${color}" opacity="0.85"/>`
    )
    // Whisker: the min–max of the per-run ratios.
    const wx0 = x(row.ratio.min)
    const wx1 = x(row.ratio.max)
    parts.push(`<line x1="${wx0}" y1="${cy}" x2="${wx1}" y2="${cy}" stroke="#222" stroke-width="1.2"/>`)
    parts.push(`<line x1="${wx0}" y1="${cy - 5}" x2="${wx0}" y2="${cy + 5}" stroke="#222" stroke-width="1.2"/>`)
    parts.push(`<line x1="${wx1}" y1="${cy - 5}" x2="${wx1}" y2="${cy + 5}" stroke="#222" stroke-width="1.2"/>`)
    if (row.target !== undefined) {
      const tx = x(row.target)
      parts.push(
        `<line x1="${tx}" y1="${cy - 14}" x2="${tx}" y2="${cy + 14}" stroke="#000" stroke-width="2" stroke-dasharray="3,2"/>`
      )
    }
    const verdict = row.status === "pass" ? "✓ target met" : row.status === "fail" ? "✗ target missed" : "no target"
    const direction = row.better === "higher" || row.better === "lower" ? `${row.better} is better` : row.better
    parts.push(
      `<text x="${width - right + 12}" y="${cy - 2}" font-weight="600">${escape(format(row.ratio.median))}</text>`
    )
    parts.push(
      `<text x="${width - right + 12}" y="${cy + 13}" fill="${color}" font-size="11">${escape(`${verdict}; ${direction}`)}</text>`
    )
  })

  const legendY = height - 14
  parts.push(
    `<text x="16" y="${legendY}" fill="#555" font-size="11">Bars: median ratio ours / @azure/identity (log scale). Whiskers: min–max of per-run ratios. Dashed tick: target.</text>`
  )
  parts.push("</svg>")
  return `${parts.join("\n")}\n`
}
