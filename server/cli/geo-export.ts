// npm run geo -- export [--out F]: the geography in use ($OUTPOST_GEOGRAPHY, else the sample) as a
// geography file, to F or to standard output.
import { writeFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { UNIT_LEVELS, type UnitLevel } from '../../shared/domain'
import { geographyFileText, GeographyFileError, loadGeography } from '../geo/geography-file'
import type { Geography } from '../geo/geography'
import type { GeoCommand } from './geo'

const USAGE = 'usage: npm run geo -- export [--out <file>]'
const PLURAL: Record<UnitLevel, string> = { district: 'districts', street: 'streets', community: 'communities', grid: 'grids' }

/** `err` takes the messages, so that standard output carries the file alone (`export > geo.json`). */
export const runExport = (async (argv: string[], out: (line: string) => void, err: (line: string) => void = (line) => console.error(line)) => {
  let file: string | undefined
  try {
    const { values } = parseArgs({ args: argv, options: { out: { type: 'string' } }, allowPositionals: false })
    file = values.out
  } catch (error) {
    err(`geo export: ${(error as Error).message}\n${USAGE}`)
    return 2
  }
  if (file === '') {
    err(`geo export: --out needs a file name\n${USAGE}`)
    return 2
  }

  let geography: Geography
  try {
    geography = loadGeography(process.env.OUTPOST_GEOGRAPHY?.trim() || undefined)
  } catch (error) {
    if (!(error instanceof GeographyFileError)) throw error
    err(`geo export: OUTPOST_GEOGRAPHY: ${error.message}`)
    return 1
  }
  const text = geographyFileText(geography.units)
  if (file === undefined) {
    // `out` ends the line itself: the text's own final newline would be a second one.
    out(text.slice(0, -1))
    return 0
  }
  const path = resolve(file)
  try {
    writeFileSync(path, text)
  } catch (error) {
    err(`geo export: cannot write ${path}: ${(error as Error).message}`)
    return 1
  }
  const counts = UNIT_LEVELS.map((level) => {
    const n = geography.units.filter((u) => u.level === level).length
    return `${n} ${n === 1 ? level : PLURAL[level]}`
  })
  out(`wrote ${geography.district.name} (${geography.district.id}): ${counts.join(', ')}; ${Buffer.byteLength(text)} bytes to ${path}`)
  return 0
}) satisfies GeoCommand
