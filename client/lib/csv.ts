// CSV that Excel opens with Chinese intact: a UTF-8 byte-order mark (without it Excel on Windows
// reads the file as the local ANSI code page and garbles every Chinese character), CRLF line ends
// and RFC 4180 quoting.

export type CsvCell = string | number | boolean | null | undefined

export const CSV_BOM = '\uFEFF'
export const CSV_EOL = '\r\n'

/**
 * Text that a spreadsheet would run as a formula (=, +, -, @, or a leading tab or CR) gets a
 * leading apostrophe: a unit or worker name must never become a formula on a leader's machine.
 * Numbers are written as numbers and never prefixed.
 */
const FORMULA_START = /^[=+\-@\t\r]/

/** One field: quoted when it holds a comma, a quote, CR or LF, with inner quotes doubled. */
export function csvCell(value: CsvCell): string {
  if (value === null || value === undefined) return ''
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : ''
  if (typeof value === 'boolean') return value ? 'true' : 'false'
  const text = FORMULA_START.test(value) ? `'${value}` : value
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text
}

/** The whole file: BOM, header, one record per row, every record ended by CRLF. */
export function toCsv(header: readonly string[], rows: readonly (readonly CsvCell[])[]): string {
  const lines = [header, ...rows].map((row) => row.map(csvCell).join(','))
  return CSV_BOM + lines.map((line) => line + CSV_EOL).join('')
}

/** `<table>-<unit>-<date>.csv`, with anything that is not safe in a file name replaced. */
export function csvFileName(table: string, unit: string, date: string): string {
  const safe = (s: string) => s.replace(/[^0-9A-Za-z_.-]+/g, '_')
  return `${safe(table)}-${safe(unit)}-${safe(date)}.csv`
}
