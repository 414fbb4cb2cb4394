/**
 * Reading the times a managed-identity endpoint sends: seconds as numbers or numeric strings,
 * and the legacy (2017-09-01) App Service / Azure ML date strings such as
 * `09/14/2017 00:00:00 PM +00:00`. Every function returns `undefined` for anything it cannot
 * read with certainty; none throws.
 *
 * @internal
 */

// The range of a JavaScript Date, so every time we accept can be printed with toISOString.
const MAX_TIME_MS = 8.64e15

const numeric = /^\s*\d+(?:\.\d+)?\s*$/

/**
 * A non-negative number of seconds from a number or a numeric string.
 *
 * @internal
 */
export const seconds = (value: unknown): number | undefined => {
  if (typeof value === "number") return Number.isFinite(value) && value >= 0 ? value : undefined
  if (typeof value === "string" && numeric.test(value)) {
    const n = Number(value)
    return Number.isFinite(n) ? n : undefined
  }
  return undefined
}

const isLeap = (year: number) => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0
const daysIn = (year: number, month: number) =>
  month === 2 ? (isLeap(year) ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31

// M/D/YYYY h:mm:ss [AM|PM] [±hh:mm | Z]  (the format .NET's invariant culture writes)
const legacyDate =
  /^(\d{1,2})\/(\d{1,2})\/(\d{4})\s+(\d{1,2}):(\d{2}):(\d{2})(?:\s*([AaPp][Mm]))?(?:\s*(?:([+-])(\d{1,2}):?(\d{2})|([Zz]|UTC|GMT)))?$/
// YYYY-MM-DDThh:mm:ss[.fff](Z|±hh:mm)
const isoDate = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):?(\d{2}))$/

const utc = (
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
  offsetMinutes: number
): number | undefined => {
  // Date.UTC reads years 0-99 as 19xx; no token expires before 1970 anyway.
  if (year < 1970 || month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return undefined
  if (hour > 23 || minute > 59 || second > 59) return undefined
  if (Math.abs(offsetMinutes) > 14 * 60) return undefined
  return Date.UTC(year, month - 1, day, hour, minute, second) - offsetMinutes * 60_000
}

/**
 * A legacy `M/D/YYYY h:mm:ss AM|PM ±hh:mm` date, or an ISO 8601 date with an explicit zone,
 * in epoch milliseconds. A date without a zone is read as UTC, as the endpoints write UTC.
 *
 * @internal
 */
export const parseDate = (text: string): number | undefined => {
  const value = text.trim()
  const legacy = legacyDate.exec(value)
  if (legacy !== null) {
    const [, m, d, y, h, min, s, meridiem, sign, oh, om] = legacy
    let hour = Number(h)
    if (meridiem !== undefined) {
      // 12-hour clock; the endpoints also write "00:00:00 PM" for noon, so 0 is accepted too.
      if (hour > 12) return undefined
      const pm = meridiem.toUpperCase() === "PM"
      hour = pm ? (hour % 12) + 12 : hour % 12
    }
    const offset = sign === undefined ? 0 : (sign === "-" ? -1 : 1) * (Number(oh) * 60 + Number(om))
    if (sign !== undefined && Number(om) > 59) return undefined
    return utc(Number(y), Number(m), Number(d), hour, Number(min), Number(s), offset)
  }
  const iso = isoDate.exec(value)
  if (iso !== null) {
    const [, y, m, d, h, min, s, fraction, , sign, oh, om] = iso
    if (sign !== undefined && Number(om) > 59) return undefined
    const offset = sign === undefined ? 0 : (sign === "-" ? -1 : 1) * (Number(oh) * 60 + Number(om))
    const base = utc(Number(y), Number(m), Number(d), Number(h), Number(min), Number(s), offset)
    if (base === undefined) return undefined
    return base + (fraction === undefined ? 0 : Math.floor(Number(`0.${fraction}`) * 1000))
  }
  return undefined
}

/**
 * `expires_on` in epoch milliseconds: seconds since the epoch (number or numeric string), or a
 * date string. `undefined` when it is neither or is outside the range of a Date.
 *
 * @internal
 */
export const expiresOn = (value: unknown): number | undefined => {
  const s = seconds(value)
  const ms = s !== undefined ? Math.round(s * 1000) : typeof value === "string" ? parseDate(value) : undefined
  return ms !== undefined && Number.isFinite(ms) && Math.abs(ms) <= MAX_TIME_MS ? ms : undefined
}

/**
 * Whether a time in milliseconds can be represented as a Date.
 *
 * @internal
 */
export const isRepresentable = (ms: number): boolean => Number.isFinite(ms) && Math.abs(ms) <= MAX_TIME_MS
