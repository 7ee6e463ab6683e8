// The leader's table of departments (按部门): its columns and how it sorts. The rows are the
// `departments` of GET /api/v1/metrics, as the server gives them (most requests first).
import type { DepartmentRow } from '../../shared/metrics'

export const DEPARTMENT_COLUMNS = ['name', 'requests', 'responseP50', 'responseP90', 'resolutionP50', 'resolutionP90', 'overdue', 'urged'] as const
export type DepartmentColumn = (typeof DEPARTMENT_COLUMNS)[number]
export type SortDirection = 'asc' | 'desc'

export interface DepartmentSort {
  column: DepartmentColumn
  direction: SortDirection
}

export const DEFAULT_DEPARTMENT_SORT: DepartmentSort = { column: 'requests', direction: 'desc' }

/** What a first click sorts by: names A→Z and times shortest first; counts largest first. */
export function firstDirection(column: DepartmentColumn): SortDirection {
  return column === 'name' || column.startsWith('response') || column.startsWith('resolution') ? 'asc' : 'desc'
}

/** A click on a column: the same column flips, another starts at its first direction. */
export function nextSort(current: DepartmentSort, column: DepartmentColumn): DepartmentSort {
  return current.column === column ? { column, direction: current.direction === 'asc' ? 'desc' : 'asc' } : { column, direction: firstDirection(column) }
}

export const departmentName = (row: DepartmentRow): string => row.name ?? row.departmentId

/** The value a column sorts by; null (no sample) always sorts last. */
export function departmentValue(row: DepartmentRow, column: Exclude<DepartmentColumn, 'name'>): number | null {
  const f = row.figures
  switch (column) {
    case 'requests':
      return f.requests
    case 'responseP50':
      return f.responseTime.p50
    case 'responseP90':
      return f.responseTime.p90
    case 'resolutionP50':
      return f.resolutionTime.p50
    case 'resolutionP90':
      return f.resolutionTime.p90
    case 'overdue':
      return f.overdue.response + f.overdue.resolution
    case 'urged':
      return f.urged
  }
}

/** The rows in the asked order; ties by name, then id, so the order never jitters between fetches. */
export function sortDepartments(rows: readonly DepartmentRow[], sort: DepartmentSort, locale = 'zh-CN'): DepartmentRow[] {
  const sign = sort.direction === 'asc' ? 1 : -1
  const byName = (a: DepartmentRow, b: DepartmentRow) =>
    departmentName(a).localeCompare(departmentName(b), locale) || (a.departmentId < b.departmentId ? -1 : a.departmentId > b.departmentId ? 1 : 0)
  return [...rows].sort((a, b) => {
    if (sort.column === 'name') return sign * byName(a, b)
    const va = departmentValue(a, sort.column)
    const vb = departmentValue(b, sort.column)
    if (va === null || vb === null) return va === vb ? byName(a, b) : va === null ? 1 : -1
    return va !== vb ? sign * (va - vb) : byName(a, b)
  })
}
