// npm run geo -- check <file>: every problem of a geography file, one a line, with the unit and a
// measured size; exit 1 on an error, 0 when there are only warnings or none.
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { checkGeography, type GeoProblem } from '../geo/check'
import { GeographyFileError, parseGeographyText } from '../geo/geography-file'
import type { GeoCommand } from './geo'

const USAGE = 'usage: npm run geo -- check <file>'

export const runCheck: GeoCommand = async (argv, out) => {
  let positionals: string[]
  try {
    positionals = parseArgs({ args: argv, options: {}, allowPositionals: true }).positionals
  } catch (error) {
    out(`geo check: ${(error as Error).message}\n${USAGE}`)
    return 2
  }
  if (positionals.length !== 1 || positionals[0]!.trim() === '') {
    out(`geo check: ${positionals.length === 0 ? 'no file named' : `one file at a time, not ${positionals.length}`}\n${USAGE}`)
    return 2
  }
  const path = resolve(positionals[0]!)
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (error) {
    out(`geo check: cannot read ${path}: ${(error as Error).message}`)
    return 1
  }
  let units
  try {
    units = parseGeographyText(text, path)
  } catch (error) {
    if (!(error instanceof GeographyFileError)) throw error
    out(error.message)
    out(`not a geography file: nothing checked in ${path}`)
    return 1
  }
  const problems = checkGeography(units)
  for (const problem of problems) out(formatProblem(problem))
  const errors = problems.filter((p) => p.severity === 'error').length
  const warnings = problems.length - errors
  out(`${count(errors, 'error')}, ${count(warnings, 'warning')} in ${path} (${count(units.length, 'unit')})`)
  return errors > 0 ? 1 : 0
}

/** `error    sibling_overlap     640106001003    community 640106001003 overlaps …`: columns line up for the eye and for `cut`/`awk`. */
export function formatProblem(problem: GeoProblem): string {
  return `${problem.severity.padEnd(8)} ${problem.code.padEnd(19)} ${(problem.unitId ?? '-').padEnd(14)}  ${problem.message}`
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`
}
