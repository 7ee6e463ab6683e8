// The demo directory `npm start` seeds while the simulator runs and the directory is empty: the
// district's departments, their weekly rota at every street (轮班坐班) and three expert pools, for
// whichever district is in use. Names come from the district's; contacts are plainly fake.
import type { DepartmentKind, ExpertPool, Weekday } from '../../shared/domain'
import type { AuditActor } from '../../shared/schemas/audit'
import type { Department, Expert, NewRotaEntry } from '../../shared/schemas/directory'
import type { Geography } from '../geo/geography'
import type { Directory, DirectoryOutcome } from './types'

/** The departments that take turns at the streets, in rota order, with their name after the district's. */
const DEMO_DEPARTMENTS: readonly { kind: DepartmentKind; suffix: string }[] = [
  { kind: 'housing', suffix: '住房和城乡建设局' },
  { kind: 'urban_management', suffix: '城市管理局' },
  { kind: 'natural_resources', suffix: '自然资源局' },
  { kind: 'public_security', suffix: '公安分局' },
  { kind: 'justice', suffix: '司法局' },
  { kind: 'water', suffix: '水务局' },
  { kind: 'power', suffix: '供电公司' },
  { kind: 'market_regulation', suffix: '市场监督管理局' },
  { kind: 'civil_affairs', suffix: '民政局' },
  { kind: 'health', suffix: '卫生健康局' },
]

/** The half-days a department sits at a street (local time): the lunch break is the only gap. */
export const DEMO_SLOTS: readonly { from: string; to: string }[] = [
  { from: '08:30', to: '12:00' },
  { from: '13:30', to: '17:30' },
]
/** Departments sitting at a street in each slot. */
const SEATS_PER_SLOT = 2
const WORKDAYS: readonly Weekday[] = [1, 2, 3, 4, 5]

/** Fictional experts; their contacts are 139-0000-xxxx, a range no one answers. */
const DEMO_EXPERTS: readonly { pool: ExpertPool; names: readonly string[] }[] = [
  { pool: 'legal', names: ['周明远律师', '林若溪律师', '马文博律师'] },
  { pool: 'psychological', names: ['苏静怡（心理咨询师）', '何嘉宁（心理咨询师）', '田雨航（心理咨询师）'] },
  { pool: 'mediation', names: ['高德厚（人民调解员）', '纳秀兰（人民调解员）', '白振东（人民调解员）', '金玉梅（人民调解员）'] },
]

/** 'dept-urban-management': ids may not hold an underscore. */
export function demoDepartmentId(kind: DepartmentKind): string {
  return `dept-${kind.replace(/_/g, '-')}`
}

/** The demo's departments, named after the district (金凤区住房和城乡建设局 …). */
export function demoDepartments(geography: Geography): Department[] {
  return DEMO_DEPARTMENTS.map(({ kind, suffix }) => ({ id: demoDepartmentId(kind), name: `${geography.district.name}${suffix}`, kind }))
}

/**
 * Each street, each working day, morning and afternoon: two departments, taking turns so that every
 * department sits at every street twice a week, on different days from street to street.
 */
export function demoRota(geography: Geography): NewRotaEntry[] {
  const departments = demoDepartments(geography)
  const streets = geography.children(geography.district.id).filter((unit) => unit.level === 'street')
  const entries: NewRotaEntry[] = []
  streets.forEach((street, s) => {
    WORKDAYS.forEach((weekday, d) => {
      DEMO_SLOTS.forEach((slot, h) => {
        for (let seat = 0; seat < SEATS_PER_SLOT; seat++) {
          const department = departments[((d * DEMO_SLOTS.length + h) * SEATS_PER_SLOT + seat + s * 3) % departments.length]!
          entries.push({ departmentId: department.id, streetId: street.id, weekday, from: slot.from, to: slot.to })
        }
      })
    })
  })
  return entries
}

export function demoExperts(): Expert[] {
  let phone = 100
  return DEMO_EXPERTS.flatMap(({ pool, names }) =>
    names.map((name, i) => ({ id: `expert-${pool.replace(/_/g, '-')}-${i + 1}`, pool, name, contact: `139-0000-0${++phone}` })),
  )
}

/**
 * Seeds the demo directory (the caller checks that it is empty and the demo is on: seedEmptyDemoDirectory).
 * An entry already there is kept; a directory refusing one of these as invalid is a bug and throws.
 */
export async function seedDemoDirectory(directory: Directory, geography: Geography, actor: AuditActor): Promise<void> {
  const check = <T>(what: string, outcome: DirectoryOutcome<T>) => {
    if (!outcome.ok && outcome.code !== 'conflict') throw new Error(`demo directory: ${what}: ${outcome.message}`)
  }
  for (const department of demoDepartments(geography)) {
    if (!directory.department(department.id)) check(`department ${department.id}`, await directory.addDepartment(department, actor))
  }
  const have = new Set(directory.rota().map((e) => `${e.departmentId}|${e.streetId}|${e.weekday}|${e.from}|${e.to}`))
  for (const entry of demoRota(geography)) {
    if (have.has(`${entry.departmentId}|${entry.streetId}|${entry.weekday}|${entry.from}|${entry.to}`)) continue
    check(`rota ${entry.departmentId} at ${entry.streetId}`, await directory.addRota(entry, actor))
  }
  for (const expert of demoExperts()) {
    if (!directory.expert(expert.id)) check(`expert ${expert.id}`, await directory.addExpert(expert, actor))
  }
}

/**
 * Seeds the demo directory if it is empty, once: several processes starting at once on an empty
 * shared directory seed it one time between them (Directory.seedWhenEmpty). Resolves whether it seeded.
 */
export function seedEmptyDemoDirectory(directory: Directory, geography: Geography, actor: AuditActor): Promise<boolean> {
  return directory.seedWhenEmpty(() => seedDemoDirectory(directory, geography, actor))
}
