// The center's camera registry (OUTPOST_CAMERAS): a CSV of the 雪亮工程 cameras, so that an AI box
// may send alerts by camera id alone. Checked at start like the geography: every problem names the
// file, the line and the camera.
import { readFileSync } from 'node:fs'
import { CRS_NAMES, type Crs } from '../../shared/domain'
import { toWgs84 } from '../../shared/geo'
import { EntityIdSchema } from '../../shared/schemas/common'
import type { Geography } from './geography'

/** A registered camera, in WGS84 whatever the file's `crs` was. */
export interface Camera {
  id: string
  name: string
  lon: number
  lat: number
}

/** A camera file that cannot be used; `problems` holds one line per problem, each naming file and line. */
export class CamerasFileError extends Error {
  constructor(
    readonly file: string,
    readonly problems: readonly string[],
  ) {
    const shown = problems.slice(0, MAX_SHOWN)
    const more = problems.length > MAX_SHOWN ? `\n  … and ${problems.length - MAX_SHOWN} more` : ''
    super(problems.length === 1 ? problems[0]! : `${file}: ${problems.length} problems:\n  ${shown.join('\n  ')}${more}`)
    this.name = 'CamerasFileError'
  }
}

const MAX_SHOWN = 20
const COLUMNS = ['id', 'name', 'lon', 'lat'] as const
const MAX_NAME_LENGTH = 200
/** Plain decimal numbers only: Number() would also take '', '0x10' and 'Infinity'. */
const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/
/** The same rule as every other caller-supplied id: the camera id is what alerts name. */
const ID_SCHEMA = EntityIdSchema as unknown as { pattern: string; maxLength: number }
const ID_PATTERN = new RegExp(ID_SCHEMA.pattern)
const ID_MAX_LENGTH = ID_SCHEMA.maxLength

/**
 * Reads and checks a camera file: UTF-8 (a BOM is fine), RFC 4180 CSV, a header `id,name,lon,lat`
 * with an optional fifth column `crs` (wgs84, gcj02 or bd09; wgs84 when absent or empty). Every
 * camera must lie inside a grid of `geography`. Throws a CamerasFileError listing every problem.
 */
export function readCamerasFile(file: string, geography: Geography): Camera[] {
  let bytes: Buffer
  try {
    bytes = readFileSync(file)
  } catch (error) {
    throw new CamerasFileError(file, [`${file}: cannot read the camera file: ${(error as Error).message}`])
  }
  let text: string
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes)
  } catch {
    throw new CamerasFileError(file, [`${file}: is not UTF-8 text (save it as UTF-8; a spreadsheet's "CSV UTF-8" does)`])
  }
  return parseCameras(text, file, geography)
}

/** The same checks on text already read (`file` is only named in messages). */
export function parseCameras(text: string, file: string, geography: Geography): Camera[] {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1)
  const problems: string[] = []
  const { records, error } = parseCsv(text)
  const at = (line: number, id?: string) => `${file} line ${line}${id !== undefined ? `, camera ${id === '' ? '(no id)' : quoteIfOdd(id)}` : ''}`

  const header = records[0]
  const expected = `${COLUMNS.join(',')} (and optionally ,crs)`
  if (!header) {
    throw new CamerasFileError(file, [`${file}: is empty: the first line must be the header ${expected}`])
  }
  const names = header.fields.map((f) => f.trim().toLowerCase())
  const hasCrs = names.length === 5 && names[4] === 'crs'
  if (!(names.length === 4 || hasCrs) || COLUMNS.some((c, i) => names[i] !== c)) {
    throw new CamerasFileError(file, [`${at(header.line)}: the header is "${clip(header.fields.join(','))}"; it must be ${expected}`])
  }
  const width = names.length

  const cameras: Camera[] = []
  const firstLine = new Map<string, number>()
  for (const record of records.slice(1)) {
    const { line, fields } = record
    const id = (fields[0] ?? '').trim()
    const where = at(line, id)
    if (fields.length !== width && !(width === 5 && fields.length === 4)) {
      const what = fields.length < width ? 'missing' : 'extra'
      problems.push(`${where}: ${fields.length} fields where the header has ${width} (${what} fields; quote a value that holds a comma)`)
      continue
    }
    const lineProblems: string[] = []
    if (id === '') lineProblems.push('the id is empty')
    else if (id.length > ID_MAX_LENGTH || !ID_PATTERN.test(id)) {
      lineProblems.push(`the id must be 1–${ID_MAX_LENGTH} characters of A–Z, a–z, 0–9 and . _ : - (starting with a letter or digit)`)
    } else if (firstLine.has(id)) {
      lineProblems.push(`the id is listed twice (first on line ${firstLine.get(id)})`)
    }
    const name = fields[1]!.trim()
    if (name === '') lineProblems.push('the name is empty')
    else if (name.length > MAX_NAME_LENGTH) lineProblems.push(`the name is longer than ${MAX_NAME_LENGTH} characters`)
    const lon = coordinate(fields[2]!, 'lon', 180, lineProblems)
    const lat = coordinate(fields[3]!, 'lat', 90, lineProblems)
    const crsText = width === 5 ? (fields[4] ?? '').trim().toLowerCase() : ''
    let crs: Crs = 'wgs84'
    if (crsText !== '') {
      if ((CRS_NAMES as readonly string[]).includes(crsText)) crs = crsText as Crs
      else lineProblems.push(`crs "${clip(fields[4]!.trim())}" is not one of ${CRS_NAMES.join(', ')}`)
    }
    if (id !== '' && !firstLine.has(id)) firstLine.set(id, line)
    if (lineProblems.length > 0 || lon === undefined || lat === undefined) {
      for (const p of lineProblems) problems.push(`${where}: ${p}`)
      continue
    }
    const wgs = toWgs84({ lon, lat }, crs)
    const point = { lon: round7(wgs.lon), lat: round7(wgs.lat) }
    if (!geography.locate(point)) {
      const given = crs === 'wgs84' ? '' : ` (given as ${lon}, ${lat} in ${crs})`
      problems.push(`${where}: ${point.lon.toFixed(6)}, ${point.lat.toFixed(6)} (WGS84)${given} lies outside every grid of ${geography.district.name}`)
      continue
    }
    cameras.push({ id, name, ...point })
  }
  if (error) problems.push(`${file} line ${error.line}: ${error.message}`)
  if (problems.length === 0 && cameras.length === 0) problems.push(`${file}: lists no cameras below its header (unset OUTPOST_CAMERAS to run without a registry)`)
  if (problems.length > 0) throw new CamerasFileError(file, problems)
  return cameras
}

function coordinate(raw: string, name: 'lon' | 'lat', limit: number, problems: string[]): number | undefined {
  const text = raw.trim()
  if (text === '') {
    problems.push(`${name} is empty`)
    return undefined
  }
  if (!DECIMAL.test(text)) {
    problems.push(`${name} "${clip(text)}" is not a number`)
    return undefined
  }
  const value = Number(text)
  if (!(Math.abs(value) <= limit)) {
    problems.push(`${name} ${text} is out of range (-${limit} to ${limit})`)
    return undefined
  }
  return value
}

/** 1e-7° is about 1 cm; the ingest API stores points the same way. */
function round7(x: number): number {
  return Math.round(x * 1e7) / 1e7
}

function clip(text: string): string {
  return text.length > 60 ? `${text.slice(0, 60)}…` : text
}

/** An id is named as written; one with spaces, quotes or nothing printable is quoted so it shows. */
function quoteIfOdd(id: string): string {
  return /^[\x21-\x7e\u00a0-\uffff]+$/.test(id) && !id.includes('"') ? clip(id) : JSON.stringify(clip(id))
}

interface CsvRecord {
  /** The line the record starts on (1-based). */
  line: number
  fields: string[]
}

/**
 * RFC 4180: fields separated by commas, records by CRLF or LF; a quoted field may hold commas,
 * line breaks and doubled quotes. Unquoted fields are taken as written. Blank lines are skipped.
 * Reading stops at the first malformed quote, which is reported with its line.
 */
export function parseCsv(text: string): { records: CsvRecord[]; error?: { line: number; message: string } } {
  const records: CsvRecord[] = []
  let fields: string[] = []
  let field = ''
  let line = 1
  let recordLine = 1
  let i = 0
  let fieldStarted = false
  const endRecord = () => {
    fields.push(field)
    // A blank line is one empty field: nothing to read.
    if (!(fields.length === 1 && fields[0]!.trim() === '')) records.push({ line: recordLine, fields })
    fields = []
    field = ''
    fieldStarted = false
  }
  while (i < text.length) {
    const c = text[i]!
    if (c === '"' && !fieldStarted && field.trim() === '') {
      // A quoted field: up to the quote not followed by another.
      const quoteLine = line
      field = ''
      i++
      for (;;) {
        if (i >= text.length) return { records, error: { line: quoteLine, message: 'a quoted field is never closed (a missing ")' } }
        const q = text[i]!
        if (q === '"') {
          if (text[i + 1] === '"') {
            field += '"'
            i += 2
            continue
          }
          i++
          break
        }
        if (q === '\n') line++
        field += q
        i++
      }
      fieldStarted = true
      // Only spaces may follow the closing quote before the separator.
      while (text[i] === ' ' || text[i] === '\t') i++
      const next = text[i]
      if (next !== undefined && next !== ',' && next !== '\n' && next !== '\r') {
        return { records, error: { line, message: 'text after a closing quote; double a quote inside a quoted field ("")' } }
      }
      continue
    }
    if (c === ',') {
      fields.push(field)
      field = ''
      fieldStarted = false
      i++
      continue
    }
    if (c === '\r' || c === '\n') {
      endRecord()
      i += c === '\r' && text[i + 1] === '\n' ? 2 : 1
      line++
      recordLine = line
      continue
    }
    if (c === '"') {
      return { records, error: { line, message: 'a quote inside an unquoted field; quote the whole field and double the quote ("")' } }
    }
    field += c
    fieldStarted = fieldStarted || c !== ' '
    i++
  }
  if (field !== '' || fields.length > 0) endRecord()
  return { records }
}
