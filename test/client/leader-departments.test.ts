import { mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import type { DepartmentFigures, DepartmentRow } from '../../shared/metrics'
import LeaderDepartmentTable from '../../client/components/leader/LeaderDepartmentTable.vue'
import { createAppI18n } from '../../client/i18n'
import { nextSort, sortDepartments } from '../../client/leader/departments'

const noTime = { p50: null, p90: null, n: 0 }
function row(departmentId: string, name: string | undefined, patch: Partial<DepartmentFigures> = {}): DepartmentRow {
  const figures: DepartmentFigures = { requests: 0, responseTime: noTime, resolutionTime: noTime, overdue: { response: 0, resolution: 0 }, urged: 0, ...patch }
  return { departmentId, ...(name !== undefined ? { name } : {}), figures }
}

const ROWS: DepartmentRow[] = [
  row('zj-jf', '金凤区住建局', { requests: 12, responseTime: { p50: 900, p90: 5400, n: 10 }, resolutionTime: { p50: 86400, p90: 172800, n: 6 }, overdue: { response: 1, resolution: 2 }, urged: 3 }),
  row('cg-jf', '金凤区城管局', { requests: 30, responseTime: { p50: 600, p90: 1200, n: 28 }, resolutionTime: { p50: 7200, p90: 36000, n: 25 } }),
  // Known only by id (the directory no longer names it), and with no sample yet.
  row('sw-old', undefined, { requests: 2, overdue: { response: 2, resolution: 0 } }),
]

const ids = (wrapper: ReturnType<typeof mount>) => wrapper.findAll('[data-testid="department-row"]').map((r) => r.attributes('data-department'))

describe('leader department table', () => {
  it('shows each department’s name, count, response and resolution P50/P90 with n, overdue and urges', () => {
    const wrapper = mount(LeaderDepartmentTable, { props: { rows: ROWS }, global: { plugins: [createAppI18n('zh-CN')] } })
    expect(wrapper.get('h3').text()).toBe('按部门')
    expect(wrapper.findAll('thead th').map((th) => th.text().replace(/[▲▼]/g, '').trim())).toEqual([
      '部门',
      '诉求数',
      '响应时长P50',
      '响应时长P90',
      '办结时长P50',
      '办结时长P90',
      '超期(响应/办结)',
      '督办',
    ])
    // Most requests first, as the server sends them.
    expect(ids(wrapper)).toEqual(['cg-jf', 'zj-jf', 'sw-old'])
    const zj = wrapper.get('[data-department="zj-jf"]')
    expect(zj.get('[data-col="name"]').text()).toContain('金凤区住建局')
    expect(zj.get('[data-col="requests"]').text()).toBe('12')
    expect(zj.get('[data-col="responseP50"]').text()).toContain('15 分钟')
    expect(zj.get('[data-col="responseP50"]').text()).toContain('10')
    expect(zj.get('[data-col="responseP90"]').text()).toBe('1.5 小时')
    expect(zj.get('[data-col="overdue"]').text()).toBe('1 / 2')
    expect(zj.get('[data-col="urged"]').text()).toBe('3')
    // No name: the id stands in; no sample: no time.
    const old = wrapper.get('[data-department="sw-old"]')
    expect(old.get('[data-col="name"]').text()).toBe('sw-old')
    expect(old.get('[data-col="responseP90"]').text()).not.toMatch(/\d/)
  })

  it('sorts on a header click, flipping on a second, with aria-sort on the column', async () => {
    const wrapper = mount(LeaderDepartmentTable, { props: { rows: ROWS }, global: { plugins: [createAppI18n('zh-CN')] } })
    expect(wrapper.get('th[aria-sort]').attributes('data-col')).toBe('requests')
    await wrapper.get('thead th[data-col="overdue"] button').trigger('click')
    expect(ids(wrapper)).toEqual(['zj-jf', 'sw-old', 'cg-jf'])
    expect(wrapper.get('th[aria-sort]').attributes()).toMatchObject({ 'data-col': 'overdue', 'aria-sort': 'descending' })
    // Times sort shortest first; a department without a sample goes last either way.
    await wrapper.get('thead th[data-col="responseP50"] button').trigger('click')
    expect(ids(wrapper)).toEqual(['cg-jf', 'zj-jf', 'sw-old'])
    await wrapper.get('thead th[data-col="responseP50"] button').trigger('click')
    expect(ids(wrapper)).toEqual(['zj-jf', 'cg-jf', 'sw-old'])
    expect(wrapper.get('th[aria-sort]').attributes('aria-sort')).toBe('descending')
  })

  it('speaks English, and says when no request went to a department', () => {
    const en = mount(LeaderDepartmentTable, { props: { rows: ROWS }, global: { plugins: [createAppI18n('en')] } })
    expect(en.get('h3').text()).toBe('By department')
    expect(en.get('[data-department="zj-jf"] [data-col="responseP90"]').text()).toBe('1.5 h')
    const empty = mount(LeaderDepartmentTable, { props: { rows: [] }, global: { plugins: [createAppI18n('en')] } })
    expect(empty.get('[data-testid="department-empty"]').text()).toBe('No requests dispatched to a department in this window')
  })

  it('orders ties by name and keeps the next click’s direction', () => {
    const tied = [row('b', '乙', { requests: 1 }), row('a', '甲', { requests: 1 }), row('c', undefined, { requests: 5 })]
    // 甲 (jiǎ) before 乙 (yǐ) in the Chinese collation.
    expect(sortDepartments(tied, { column: 'requests', direction: 'desc' }).map((r) => r.departmentId)).toEqual(['c', 'a', 'b'])
    expect(nextSort({ column: 'requests', direction: 'desc' }, 'requests')).toEqual({ column: 'requests', direction: 'asc' })
    expect(nextSort({ column: 'requests', direction: 'desc' }, 'name')).toEqual({ column: 'name', direction: 'asc' })
    expect(nextSort({ column: 'name', direction: 'asc' }, 'urged')).toEqual({ column: 'urged', direction: 'desc' })
  })
})
