// npm run directory -- <command>: manage departments, their rota at streets and expert pools in the
// data directory (OUTPOST_DATA_DIR), or in PostgreSQL when OUTPOST_DATABASE_URL names one (as for the
// server), also while the server runs. Each change goes to the audit trail with the OS account as
// its actor.
import { mkdirSync } from 'node:fs'
import { userInfo } from 'node:os'
import { resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { DEPARTMENT_KINDS, EXPERT_POOLS, type DepartmentKind, type ExpertPool } from '../../shared/domain'
import type { AuditActor } from '../../shared/schemas/audit'
import { SqliteAuditLog } from '../audit/audit-log'
import { PgAuditLog } from '../audit/pg-audit-log'
import type { AuditLog } from '../audit/types'
import { ConfigError, databaseUrlFrom } from '../config'
import { contactUnitProblem } from '../directory/contacts'
import { DirectoryStore } from '../directory/directory-store'
import { PgDirectory } from '../directory/pg-directory'
import type { Directory, DirectoryOutcome } from '../directory/types'
import { loadGeography } from '../geo/geography-file'

const USAGE = `usage: npm run directory -- <command>
  department add <id> --name <name> --kind <${DEPARTMENT_KINDS.join('|')}>
  department remove <id>
  rota add <departmentId> --street <street id> --weekday <1-7, 1 Monday> --from HH:MM --to HH:MM
  rota remove <rota id>
  expert add <id> --pool <${EXPERT_POOLS.join('|')}> --name <name> --contact <phone or other>
  expert remove <id>
  contact set <unit id> --phone <office number> [--qr <text or URL to encode>] [--hours <office hours>]
  contact remove <unit id>
  list
Data: $OUTPOST_DATABASE_URL when set, else $OUTPOST_DATA_DIR (default data); streets: $OUTPOST_GEOGRAPHY (default the sample district).`

/** Bad input: exit code 2 with the usage. */
export class UsageError extends Error {}

/** How the command names a store field. */
const OPTION_OF: Record<string, string> = {
  id: '<id>',
  departmentId: '<departmentId>',
  streetId: '--street',
  weekday: '--weekday',
  from: '--from',
  to: '--to',
  name: '--name',
  kind: '--kind',
  pool: '--pool',
  contact: '--contact',
  phone: '--phone',
  qr: '--qr',
  hours: '--hours',
  unit: '<unit id>',
}

function cliActor(): AuditActor {
  let name: string
  try {
    name = userInfo().username
  } catch {
    name = process.env.USER ?? 'unknown'
  }
  return { kind: 'cli', name }
}

function unwrap<T>(outcome: DirectoryOutcome<T>): T {
  if (outcome.ok) return outcome.value
  throw new UsageError(`${OPTION_OF[outcome.field] ?? outcome.field}: ${outcome.message}`)
}

export async function run(argv: string[], out: (line: string) => void): Promise<void> {
  let parsed
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        name: { type: 'string' },
        kind: { type: 'string' },
        street: { type: 'string' },
        weekday: { type: 'string' },
        from: { type: 'string' },
        to: { type: 'string' },
        pool: { type: 'string' },
        contact: { type: 'string' },
        phone: { type: 'string' },
        qr: { type: 'string' },
        hours: { type: 'string' },
      },
      allowPositionals: true,
    })
  } catch (error) {
    throw new UsageError((error as Error).message)
  }
  const { values, positionals } = parsed
  const [resource, verb, ...rest] = positionals
  if (resource !== 'list' && !['department', 'rota', 'expert', 'contact'].includes(resource ?? '')) {
    throw new UsageError(resource ? `unknown command ${resource}` : 'no command')
  }
  if (resource === 'contact' && verb !== 'set' && verb !== 'remove') throw new UsageError('contact needs set or remove')
  if (resource !== 'list' && resource !== 'contact' && verb !== 'add' && verb !== 'remove') throw new UsageError(`${resource} needs add or remove`)
  const required = (option: keyof typeof values): string => {
    const value = values[option]
    if (value === undefined || value.trim() === '') throw new UsageError(`--${option} is required`)
    return value
  }

  const dataDir = resolve(process.env.OUTPOST_DATA_DIR?.trim() || 'data')
  mkdirSync(dataDir, { recursive: true })
  // The district the server runs on: a rota entry sits at one of its streets.
  const geography = loadGeography(process.env.OUTPOST_GEOGRAPHY?.trim() || undefined)
  let databaseUrl: string | undefined
  try {
    databaseUrl = databaseUrlFrom()
  } catch (error) {
    if (error instanceof ConfigError) throw new UsageError(error.message)
    throw error
  }
  const isStreet = (id: string) => geography.get(id)?.level === 'street'
  // The directory and the audit trail the server uses: PostgreSQL (shared by every process) or the data directory's files.
  let audit: AuditLog
  let directory: Directory
  if (databaseUrl) {
    const pgAudit = await PgAuditLog.open(databaseUrl, { poolSize: 1 })
    audit = pgAudit
    try {
      directory = await PgDirectory.open(databaseUrl, { audit: pgAudit, isStreet, listen: false, poolSize: 1 })
    } catch (error) {
      await audit.close()
      throw error
    }
  } else {
    audit = SqliteAuditLog.open(dataDir)
    directory = DirectoryStore.open(dataDir, { audit, isStreet })
  }
  const actor = cliActor()
  try {
    if (resource === 'list') {
      if (verb !== undefined) throw new UsageError('list takes no arguments')
      out('departments:')
      for (const d of directory.departments()) out(`  ${d.id}\t${d.kind}\t${d.name}`)
      out('rota:')
      for (const r of directory.rota()) out(`  ${r.id}\t${r.departmentId}\t${r.streetId} ${geography.get(r.streetId)?.name ?? '?'}\tweekday ${r.weekday}\t${r.from}–${r.to}`)
      out('experts:')
      for (const e of directory.experts()) out(`  ${e.id}\t${e.pool}\t${e.name}\t${e.contact}`)
      out('report contacts:')
      for (const c of directory.contacts()) out(`  ${c.unit} ${geography.get(c.unit)?.name ?? '?'}\t${c.phone}\t${c.hours ?? '-'}\t${c.qr ?? '-'}`)
      return
    }
    if (rest.length !== 1) throw new UsageError(`${resource} ${verb} takes exactly one ${resource === 'rota' && verb === 'add' ? 'department id' : resource === 'contact' ? 'unit id' : 'id'}`)
    const id = rest[0]!
    if (resource === 'contact') {
      const problem = contactUnitProblem(geography, id)
      if (problem) throw new UsageError(`<unit id>: ${problem}`)
      if (verb === 'remove') {
        unwrap(await directory.removeContact(id, actor))
        out(`removed the report contact of ${id} ${geography.get(id)!.name}`)
        return
      }
      const c = unwrap(
        await directory.setContact(
          { unit: id, phone: required('phone'), ...(values.qr !== undefined ? { qr: values.qr } : {}), ...(values.hours !== undefined ? { hours: values.hours } : {}) },
          actor,
        ),
      )
      out(`set the report contact of ${c.unit} ${geography.get(c.unit)!.name}: ${c.phone}${c.hours ? `, ${c.hours}` : ''}${c.qr ? `, QR ${c.qr}` : ''}`)
      return
    }
    if (verb === 'remove') {
      if (resource === 'department') unwrap(await directory.removeDepartment(id, actor))
      else if (resource === 'rota') unwrap(await directory.removeRota(id, actor))
      else unwrap(await directory.removeExpert(id, actor))
      out(`removed ${resource} ${id}`)
      return
    }
    if (resource === 'department') {
      const kind = required('kind')
      if (!DEPARTMENT_KINDS.includes(kind as DepartmentKind)) throw new UsageError(`--kind must be one of ${DEPARTMENT_KINDS.join(', ')}`)
      const d = unwrap(await directory.addDepartment({ id, name: required('name'), kind: kind as DepartmentKind }, actor))
      out(`added department ${d.id} (${d.kind}, ${d.name})`)
      return
    }
    if (resource === 'rota') {
      const weekdayText = required('weekday')
      if (!/^[1-7]$/.test(weekdayText)) throw new UsageError('--weekday must be 1 (Monday) to 7 (Sunday)')
      const street = required('street')
      const r = unwrap(await directory.addRota({ departmentId: id, streetId: street, weekday: Number(weekdayText), from: required('from'), to: required('to') }, actor))
      out(`added rota ${r.id}: ${r.departmentId} at ${r.streetId} ${geography.get(r.streetId)!.name}, weekday ${r.weekday} ${r.from}–${r.to}`)
      return
    }
    const pool = required('pool')
    if (!EXPERT_POOLS.includes(pool as ExpertPool)) throw new UsageError(`--pool must be one of ${EXPERT_POOLS.join(', ')}`)
    const e = unwrap(await directory.addExpert({ id, pool: pool as ExpertPool, name: required('name'), contact: required('contact') }, actor))
    out(`added expert ${e.id} (${e.pool}, ${e.name})`)
  } finally {
    await directory.close()
    await audit.close()
  }
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('directory.ts')) {
  run(process.argv.slice(2), (line) => console.log(line)).catch((error: unknown) => {
    if (error instanceof UsageError) {
      console.error(`directory: ${error.message}\n${USAGE}`)
      process.exit(2)
    }
    console.error(`directory: ${(error as Error).message}`)
    process.exit(1)
  })
}
