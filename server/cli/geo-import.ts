// npm run geo -- import: a geography file built from one source file per level. Nothing is written
// when the import or its check finds an error.
import { writeFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { UNIT_LEVELS, type UnitLevel } from '../../shared/domain'
import { geographyFileText } from '../geo/geography-file'
import { GeoImportError, importCrs, importGeography, IMPORT_CRS, isUnitId, type ImportCrs } from '../geo/import'
import type { GeoCommand } from './geo'
import { formatProblem } from './geo-check'

const USAGE = `usage: npm run geo -- import --district <id>:<name> --streets <f> --communities <f> --grids <f>
         [--crs ${IMPORT_CRS.join('|')}] [--id-field F] [--name-field F] [--parent-field F]
         [--attributes units.csv] --out <file>`
const PLURAL: Record<UnitLevel, string> = { district: 'districts', street: 'streets', community: 'communities', grid: 'grids' }

export const runImport: GeoCommand = async (argv, out) => {
  let values: Record<string, string | undefined>
  try {
    values = parseArgs({
      args: argv,
      allowPositionals: false,
      options: {
        district: { type: 'string' },
        streets: { type: 'string' },
        communities: { type: 'string' },
        grids: { type: 'string' },
        crs: { type: 'string' },
        'id-field': { type: 'string' },
        'name-field': { type: 'string' },
        'parent-field': { type: 'string' },
        attributes: { type: 'string' },
        out: { type: 'string' },
      },
    }).values
  } catch (error) {
    out(`geo import: ${(error as Error).message}\n${USAGE}`)
    return 2
  }
  const usage = (what: string): number => {
    out(`geo import: ${what}\n${USAGE}`)
    return 2
  }
  const missing = ['district', 'streets', 'communities', 'grids', 'out'].filter((flag) => !values[flag]?.trim())
  if (missing.length > 0) return usage(`missing ${missing.map((m) => `--${m}`).join(', ')}`)
  const district = /^([^:]+):(.+)$/.exec(values.district!.trim())
  if (!district) return usage(`--district ${values.district}: give the district as <id>:<name>, e.g. 640106:金凤区`)
  if (!isUnitId(district[1]!.trim())) return usage(`--district ${values.district}: its id must be 6, 9, 12 or 14 digits (a statistical code such as 640106)`)
  let crs: ImportCrs | undefined
  if (values.crs !== undefined) {
    try {
      importCrs(values.crs)
    } catch (error) {
      return usage((error as Error).message)
    }
    crs = values.crs.toLowerCase() as ImportCrs
  }

  let result: Awaited<ReturnType<typeof importGeography>>
  try {
    result = await importGeography({
      district: { id: district[1]!.trim(), name: district[2]!.trim() },
      streets: values.streets!,
      communities: values.communities!,
      grids: values.grids!,
      ...(crs ? { crs } : {}),
      ...(values['id-field'] ? { idField: values['id-field'] } : {}),
      ...(values['name-field'] ? { nameField: values['name-field'] } : {}),
      ...(values['parent-field'] ? { parentField: values['parent-field'] } : {}),
      ...(values.attributes ? { attributes: values.attributes } : {}),
    })
  } catch (error) {
    if (!(error instanceof GeoImportError)) throw error
    out(`geo import: ${error.message}`)
    out('nothing written')
    return 1
  }

  const { units, problems } = result
  const errors = problems.filter((p) => p.severity === 'error')
  const warnings = problems.filter((p) => p.severity === 'warning')
  const path = resolve(values.out!)
  if (errors.length > 0) {
    for (const problem of problems) out(formatProblem(problem))
    out(`${count(errors.length, 'error')}, ${count(warnings.length, 'warning')}: nothing written to ${path}`)
    return 1
  }
  const text = geographyFileText(units)
  try {
    writeFileSync(path, text)
  } catch (error) {
    out(`geo import: cannot write ${path}: ${(error as Error).message}`)
    return 1
  }
  for (const problem of warnings) out(formatProblem(problem))
  const counts = UNIT_LEVELS.map((level) => {
    const n = units.filter((u) => u.level === level).length
    return `${n} ${n === 1 ? level : PLURAL[level]}`
  })
  const [head] = units
  out(`wrote ${head!.name} (${head!.id}): ${counts.join(', ')}; ${count(warnings.length, 'warning')}; ${Buffer.byteLength(text)} bytes to ${path}`)
  return 0
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`
}
