// The directory's contract, run against each engine (directory-store.test.ts: SQLite;
// pg-directory.test.ts: PostgreSQL): its rules, its audit entries, and the on-duty question.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { AuditLog } from '../../../server/audit/types'
import { localWeekdayAndClock } from '../../../server/directory/directory-store'
import type { Directory } from '../../../server/directory/types'
import type { Department } from '../../../shared/schemas/directory'
import { sampleGeography } from '../../helpers/build-app'

const A = '640106001'
const B = '640106002'
const actor = { kind: 'cli' as const, name: 'tester' }
const housing: Department = { id: 'zj-jf', name: '金凤区住建局', kind: 'housing' }

export interface DirectoryHarness {
  directory: Directory
  audit: AuditLog
  /** Closes the directory and opens it again on the same storage. */
  reopen(): Promise<Directory>
  close(): Promise<void>
}

export type OpenDirectory = (options: { isStreet: (unitId: string) => boolean; now: () => number }) => Promise<DirectoryHarness>

export function directoryContract(engine: string, open: OpenDirectory): void {
  let h: DirectoryHarness
  let directory: Directory
  let audit: AuditLog

  beforeEach(async () => {
    const geography = sampleGeography()
    h = await open({ isStreet: (id) => geography.get(id)?.level === 'street', now: () => Date.parse('2026-12-01T00:00:00Z') })
    directory = h.directory
    audit = h.audit
  })
  afterEach(async () => {
    await h.close()
  })

  describe(`${engine}: the directory's rules`, () => {
    it('keeps departments, rota and experts across a reopen', async () => {
      expect(await directory.addDepartment(housing, actor)).toEqual({ ok: true, value: housing })
      const rota = await directory.addRota({ departmentId: housing.id, streetId: A, weekday: 1, from: '09:00', to: '12:00' }, actor)
      expect(rota.ok && rota.value.id).toMatch(/^rota-\d+$/)
      expect((await directory.addExpert({ id: 'law-01', pool: 'legal', name: '王律师', contact: '13912345678' }, actor)).ok).toBe(true)
      directory = await h.reopen()
      expect(directory.departments()).toEqual([housing])
      expect(directory.rota()).toHaveLength(1)
      expect(directory.expert('law-01')?.contact).toBe('13912345678')
      expect(directory.isEmpty()).toBe(false)
    })

    it('names the field of each invalid value', async () => {
      const fieldOf = async (pending: Promise<{ ok: boolean; field?: string }>) => {
        const outcome = await pending
        return outcome.ok ? 'ok' : outcome.field
      }
      expect(await fieldOf(directory.addDepartment({ ...housing, id: '-bad id' }, actor))).toBe('id')
      expect(await fieldOf(directory.addDepartment({ ...housing, name: '  ' }, actor))).toBe('name')
      expect(await fieldOf(directory.addDepartment({ ...housing, kind: 'army' as never }, actor))).toBe('kind')
      expect(await fieldOf(directory.addExpert({ id: 'e1', pool: 'astrology' as never, name: 'x', contact: 'y' }, actor))).toBe('pool')
      expect(await fieldOf(directory.addExpert({ id: 'e1', pool: 'legal', name: 'x', contact: '' }, actor))).toBe('contact')
      await directory.addDepartment(housing, actor)
      const rota = (patch: object) => directory.addRota({ departmentId: housing.id, streetId: A, weekday: 1, from: '09:00', to: '12:00', ...patch }, actor)
      expect(await fieldOf(rota({ streetId: '640106001001' }))).toBe('streetId') // a community, not a street
      expect(await fieldOf(rota({ streetId: '640199001' }))).toBe('streetId') // no such unit
      expect(await fieldOf(rota({ weekday: 0 }))).toBe('weekday')
      expect(await fieldOf(rota({ weekday: 8 }))).toBe('weekday')
      expect(await fieldOf(rota({ from: '9:00' }))).toBe('from')
      expect(await fieldOf(rota({ from: '24:00', to: '24:00' }))).toBe('from')
      expect(await fieldOf(rota({ to: '25:00' }))).toBe('to')
      expect(await fieldOf(rota({ from: '12:00', to: '12:00' }))).toBe('to')
      expect(await fieldOf(rota({ from: '13:00', to: '12:00' }))).toBe('to')
      const unknown = await directory.addRota({ departmentId: 'nobody', streetId: A, weekday: 1, from: '09:00', to: '12:00' }, actor)
      expect(unknown).toMatchObject({ ok: false, code: 'not_found', field: 'departmentId' })
      expect(directory.rota()).toEqual([])
    })

    it('refuses duplicates as conflicts, and a removal of nothing as not found', async () => {
      await directory.addDepartment(housing, actor)
      expect(await directory.addDepartment(housing, actor)).toMatchObject({ ok: false, code: 'conflict', field: 'id' })
      const slot = { departmentId: housing.id, streetId: A, weekday: 1, from: '09:00', to: '12:00' }
      expect((await directory.addRota(slot, actor)).ok).toBe(true)
      expect(await directory.addRota(slot, actor)).toMatchObject({ ok: false, code: 'conflict' })
      // Overlapping the same department's slot at the same street and day: a conflict too; touching is not.
      expect(await directory.addRota({ ...slot, from: '11:00', to: '14:00' }, actor)).toMatchObject({ ok: false, code: 'conflict' })
      expect((await directory.addRota({ ...slot, from: '12:00', to: '14:00' }, actor)).ok).toBe(true)
      expect((await directory.addRota({ ...slot, streetId: B }, actor)).ok).toBe(true)
      expect((await directory.addExpert({ id: 'e', pool: 'legal', name: 'n', contact: 'c' }, actor)).ok).toBe(true)
      expect(await directory.addExpert({ id: 'e', pool: 'legal', name: 'n', contact: 'c' }, actor)).toMatchObject({ ok: false, code: 'conflict', field: 'id' })
      expect(await directory.removeRota('rota-999', actor)).toMatchObject({ ok: false, code: 'not_found' })
      expect(await directory.removeRota('nonsense', actor)).toMatchObject({ ok: false, code: 'not_found' })
      expect(await directory.removeExpert('nobody', actor)).toMatchObject({ ok: false, code: 'not_found' })
      expect(await directory.removeDepartment('nobody', actor)).toMatchObject({ ok: false, code: 'not_found' })
    })

    it('removing a department removes its rota', async () => {
      await directory.addDepartment(housing, actor)
      await directory.addDepartment({ id: 'cg', name: '城管', kind: 'urban_management' }, actor)
      await directory.addRota({ departmentId: housing.id, streetId: A, weekday: 1, from: '09:00', to: '12:00' }, actor)
      await directory.addRota({ departmentId: 'cg', streetId: A, weekday: 1, from: '09:00', to: '12:00' }, actor)
      expect((await directory.removeDepartment(housing.id, actor)).ok).toBe(true)
      expect(directory.rota().map((r) => r.departmentId)).toEqual(['cg'])
    })

    it('records each change in the audit trail with its actor', async () => {
      await directory.addDepartment(housing, actor)
      const rota = await directory.addRota({ departmentId: housing.id, streetId: A, weekday: 1, from: '09:00', to: '12:00' }, actor)
      await directory.addExpert({ id: 'law-01', pool: 'legal', name: '王律师', contact: '13912345678' }, { kind: 'user', name: 'center' })
      await directory.addDepartment(housing, actor) // refused: not recorded
      const entries = await audit.entries({ from: 0, to: Date.parse('2027-01-01T00:00:00Z'), limit: 100 })
      expect(entries.map((e) => [e.action, e.target, e.unit, e.actor.name])).toEqual([
        ['directory.change', 'expert:law-01', null, 'center'],
        ['directory.change', `rota:${rota.ok ? rota.value.id : ''}`, A, 'tester'],
        ['directory.change', 'department:zj-jf', null, 'tester'],
      ])
      expect(entries[0]!.at).toBe('2026-12-01T00:00:00.000Z')
    })
  })

  describe(`${engine}: onDuty: [from, to) in the center’s time zone`, () => {
    // 2026-12-07 is a Monday.
    beforeEach(async () => {
      await directory.addDepartment(housing, actor)
      await directory.addRota({ departmentId: housing.id, streetId: A, weekday: 1, from: '09:00', to: '12:00' }, actor)
      await directory.addRota({ departmentId: housing.id, streetId: A, weekday: 2, from: '07:30', to: '08:00' }, actor)
      await directory.addRota({ departmentId: housing.id, streetId: B, weekday: 1, from: '00:00', to: '24:00' }, actor)
    })
    const shanghai = (local: string) => Date.parse(`${local}+08:00`)

    it('is on duty from exactly `from` until just before `to`', async () => {
      const now = (local: string) => directory.onDuty([A], shanghai(local), 'Asia/Shanghai').map((e) => e.now)
      expect(now('2026-12-07T08:59:59.999')).toEqual([false])
      expect(now('2026-12-07T09:00:00')).toEqual([true])
      expect(now('2026-12-07T11:59:59.999')).toEqual([true])
      expect(now('2026-12-07T12:00:00')).toEqual([false])
      // Another weekday: no entry at all.
      expect(directory.onDuty([A], shanghai('2026-12-09T10:00:00'), 'Asia/Shanghai')).toEqual([])
    })

    it('takes the weekday and time of the center’s zone, not UTC’s', async () => {
      // Monday 23:30 UTC is Tuesday 07:30 in Shanghai: the Tuesday slot, from its first minute.
      const at = Date.parse('2026-12-07T23:30:00Z')
      expect(localWeekdayAndClock(at, 'Asia/Shanghai')).toEqual({ weekday: 2, clock: '07:30' })
      expect(directory.onDuty([A], at, 'Asia/Shanghai')).toEqual([{ department: housing, streetId: A, from: '07:30', to: '08:00', now: true }])
      // The same instant in UTC is Monday 23:30: the Monday slot, over.
      expect(directory.onDuty([A], at, 'UTC')).toEqual([{ department: housing, streetId: A, from: '09:00', to: '12:00', now: false }])
    })

    it('covers a whole day with 00:00–24:00, local midnight included, and only the asked streets', async () => {
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
}
