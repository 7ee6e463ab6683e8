// The directory's rules and its on-duty question, on a real SQLite file in a temp data dir.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { SqliteAuditLog } from '../../../server/audit/audit-log'
import { DirectoryStore, directoryFileIn, localWeekdayAndClock } from '../../../server/directory/directory-store'
import type { Department } from '../../../shared/schemas/directory'
import { sampleGeography } from '../../helpers/build-app'

const A = '640106001'
const B = '640106002'
const actor = { kind: 'cli' as const, name: 'tester' }
const housing: Department = { id: 'zj-jf', name: '金凤区住建局', kind: 'housing' }

let dir: string
let audit: SqliteAuditLog
let directory: DirectoryStore

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'outpost-directory-'))
  audit = SqliteAuditLog.open(dir)
  const geography = sampleGeography()
  directory = DirectoryStore.open(dir, { audit, isStreet: (id) => geography.get(id)?.level === 'street', now: () => Date.parse('2026-12-01T00:00:00Z') })
})
afterEach(() => {
  directory.close()
  audit.close()
  rmSync(dir, { recursive: true, force: true })
})

describe('DirectoryStore', () => {
  it('keeps departments, rota and experts in directory.db, across a reopen', () => {
    expect(directory.addDepartment(housing, actor)).toEqual({ ok: true, value: housing })
    const rota = directory.addRota({ departmentId: housing.id, streetId: A, weekday: 1, from: '09:00', to: '12:00' }, actor)
    expect(rota.ok && rota.value.id).toMatch(/^rota-\d+$/)
    expect(directory.addExpert({ id: 'law-01', pool: 'legal', name: '王律师', contact: '13912345678' }, actor).ok).toBe(true)
    directory.close()
    directory = new DirectoryStore(directoryFileIn(dir), { audit, isStreet: () => true })
    expect(directory.departments()).toEqual([housing])
    expect(directory.rota()).toHaveLength(1)
    expect(directory.expert('law-01')?.contact).toBe('13912345678')
    expect(directory.isEmpty()).toBe(false)
  })

  it('names the field of each invalid value', () => {
    const fieldOf = (outcome: { ok: boolean; field?: string }) => (outcome.ok ? 'ok' : outcome.field)
    expect(fieldOf(directory.addDepartment({ ...housing, id: '-bad id' }, actor))).toBe('id')
    expect(fieldOf(directory.addDepartment({ ...housing, name: '  ' }, actor))).toBe('name')
    expect(fieldOf(directory.addDepartment({ ...housing, kind: 'army' as never }, actor))).toBe('kind')
    expect(fieldOf(directory.addExpert({ id: 'e1', pool: 'astrology' as never, name: 'x', contact: 'y' }, actor))).toBe('pool')
    expect(fieldOf(directory.addExpert({ id: 'e1', pool: 'legal', name: 'x', contact: '' }, actor))).toBe('contact')
    directory.addDepartment(housing, actor)
    const rota = (patch: object) => directory.addRota({ departmentId: housing.id, streetId: A, weekday: 1, from: '09:00', to: '12:00', ...patch }, actor)
    expect(fieldOf(rota({ streetId: '640106001001' }))).toBe('streetId') // a community, not a street
    expect(fieldOf(rota({ streetId: '640199001' }))).toBe('streetId') // no such unit
    expect(fieldOf(rota({ weekday: 0 }))).toBe('weekday')
    expect(fieldOf(rota({ weekday: 8 }))).toBe('weekday')
    expect(fieldOf(rota({ from: '9:00' }))).toBe('from')
    expect(fieldOf(rota({ from: '24:00', to: '24:00' }))).toBe('from')
    expect(fieldOf(rota({ to: '25:00' }))).toBe('to')
    expect(fieldOf(rota({ from: '12:00', to: '12:00' }))).toBe('to')
    expect(fieldOf(rota({ from: '13:00', to: '12:00' }))).toBe('to')
    const unknown = directory.addRota({ departmentId: 'nobody', streetId: A, weekday: 1, from: '09:00', to: '12:00' }, actor)
    expect(unknown).toMatchObject({ ok: false, code: 'not_found', field: 'departmentId' })
    expect(directory.rota()).toEqual([])
  })

  it('refuses duplicates as conflicts, and a removal of nothing as not found', () => {
    directory.addDepartment(housing, actor)
    expect(directory.addDepartment(housing, actor)).toMatchObject({ ok: false, code: 'conflict', field: 'id' })
    const slot = { departmentId: housing.id, streetId: A, weekday: 1, from: '09:00', to: '12:00' }
    expect(directory.addRota(slot, actor).ok).toBe(true)
    expect(directory.addRota(slot, actor)).toMatchObject({ ok: false, code: 'conflict' })
    // Overlapping the same department's slot at the same street and day: a conflict too; touching is not.
    expect(directory.addRota({ ...slot, from: '11:00', to: '14:00' }, actor)).toMatchObject({ ok: false, code: 'conflict' })
    expect(directory.addRota({ ...slot, from: '12:00', to: '14:00' }, actor).ok).toBe(true)
    expect(directory.addRota({ ...slot, streetId: B }, actor).ok).toBe(true)
    expect(directory.addExpert({ id: 'e', pool: 'legal', name: 'n', contact: 'c' }, actor).ok).toBe(true)
    expect(directory.addExpert({ id: 'e', pool: 'legal', name: 'n', contact: 'c' }, actor)).toMatchObject({ ok: false, code: 'conflict', field: 'id' })
    expect(directory.removeRota('rota-999', actor)).toMatchObject({ ok: false, code: 'not_found' })
    expect(directory.removeRota('nonsense', actor)).toMatchObject({ ok: false, code: 'not_found' })
    expect(directory.removeExpert('nobody', actor)).toMatchObject({ ok: false, code: 'not_found' })
    expect(directory.removeDepartment('nobody', actor)).toMatchObject({ ok: false, code: 'not_found' })
  })

  it('removing a department removes its rota', () => {
    directory.addDepartment(housing, actor)
    directory.addDepartment({ id: 'cg', name: '城管', kind: 'urban_management' }, actor)
    directory.addRota({ departmentId: housing.id, streetId: A, weekday: 1, from: '09:00', to: '12:00' }, actor)
    directory.addRota({ departmentId: 'cg', streetId: A, weekday: 1, from: '09:00', to: '12:00' }, actor)
    expect(directory.removeDepartment(housing.id, actor).ok).toBe(true)
    expect(directory.rota().map((r) => r.departmentId)).toEqual(['cg'])
  })

  it('records each change in the audit trail with its actor', () => {
    directory.addDepartment(housing, actor)
    const rota = directory.addRota({ departmentId: housing.id, streetId: A, weekday: 1, from: '09:00', to: '12:00' }, actor)
    directory.addExpert({ id: 'law-01', pool: 'legal', name: '王律师', contact: '13912345678' }, { kind: 'user', name: 'center' })
    directory.addDepartment(housing, actor) // refused: not recorded
    const entries = audit.entries({ from: 0, to: Date.parse('2027-01-01T00:00:00Z'), limit: 100 })
    expect(entries.map((e) => [e.action, e.target, e.unit, e.actor.name])).toEqual([
      ['directory.change', 'expert:law-01', null, 'center'],
      ['directory.change', `rota:${rota.ok ? rota.value.id : ''}`, A, 'tester'],
      ['directory.change', 'department:zj-jf', null, 'tester'],
    ])
    expect(entries[0]!.at).toBe('2026-12-01T00:00:00.000Z')
  })
})

describe('onDuty: [from, to) in the center’s time zone', () => {
  // 2026-12-07 is a Monday.
  beforeEach(() => {
    directory.addDepartment(housing, actor)
    directory.addRota({ departmentId: housing.id, streetId: A, weekday: 1, from: '09:00', to: '12:00' }, actor)
    directory.addRota({ departmentId: housing.id, streetId: A, weekday: 2, from: '07:30', to: '08:00' }, actor)
    directory.addRota({ departmentId: housing.id, streetId: B, weekday: 1, from: '00:00', to: '24:00' }, actor)
  })
  const shanghai = (local: string) => Date.parse(`${local}+08:00`)

  it('is on duty from exactly `from` until just before `to`', () => {
    const now = (local: string) => directory.onDuty([A], shanghai(local), 'Asia/Shanghai').map((e) => e.now)
    expect(now('2026-12-07T08:59:59.999')).toEqual([false])
    expect(now('2026-12-07T09:00:00')).toEqual([true])
    expect(now('2026-12-07T11:59:59.999')).toEqual([true])
    expect(now('2026-12-07T12:00:00')).toEqual([false])
    // Another weekday: no entry at all.
    expect(directory.onDuty([A], shanghai('2026-12-09T10:00:00'), 'Asia/Shanghai')).toEqual([])
  })

  it('takes the weekday and time of the center’s zone, not UTC’s', () => {
    // Monday 23:30 UTC is Tuesday 07:30 in Shanghai: the Tuesday slot, from its first minute.
    const at = Date.parse('2026-12-07T23:30:00Z')
    expect(localWeekdayAndClock(at, 'Asia/Shanghai')).toEqual({ weekday: 2, clock: '07:30' })
    expect(directory.onDuty([A], at, 'Asia/Shanghai')).toEqual([{ department: housing, streetId: A, from: '07:30', to: '08:00', now: true }])
    // The same instant in UTC is Monday 23:30: the Monday slot, over.
    expect(directory.onDuty([A], at, 'UTC')).toEqual([{ department: housing, streetId: A, from: '09:00', to: '12:00', now: false }])
  })

  it('covers a whole day with 00:00–24:00, local midnight included, and only the asked streets', () => {
    const mondayMidnight = shanghai('2026-12-07T00:00:00') // Sunday 16:00 UTC
    expect(directory.onDuty([B], mondayMidnight, 'Asia/Shanghai').map((e) => e.now)).toEqual([true])
    expect(directory.onDuty([B], shanghai('2026-12-07T23:59:59'), 'Asia/Shanghai').map((e) => e.now)).toEqual([true])
    expect(directory.onDuty([B], shanghai('2026-12-08T00:00:00'), 'Asia/Shanghai')).toEqual([])
    expect(directory.onDuty([A, B], shanghai('2026-12-07T10:00:00'), 'Asia/Shanghai').map((e) => [e.streetId, e.now])).toEqual([
      [A, true],
      [B, true],
    ])
    expect(directory.onDuty([], shanghai('2026-12-07T10:00:00'), 'Asia/Shanghai')).toEqual([])
  })
})
