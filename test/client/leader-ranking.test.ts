import { describe, expect, it } from 'vitest'
import { createAppI18n } from '../../client/i18n'
import { rankChildren } from '../../client/leader/ranking'
import { childrenTable, overdueTable } from '../../client/leader/tables'
import { child, metricsReply, r } from '../fixtures/leader-fixtures'

describe('ranking display', () => {
  // Two requests, both on time: 100%, but a lower bound far below the big community's.
  const small = child('640106001003', '小社区', { onTimeResponse: r(2, 2), requests: 2 })
  const big = child('640106001001', '大社区', { onTimeResponse: r(190, 200), requests: 200 })
  const mid = child('640106001002', '中社区', { onTimeResponse: r(45, 50), requests: 50 })
  const none = child('640106001004', '无样本', {})

  it('ranks rates in the API order (Wilson lower bound), so two requests do not top the list', () => {
    const reply = metricsReply('640106001', [small, big, mid, none], {
      rankings: { onTimeResponse: ['640106001001', '640106001002', '640106001003', '640106001004'], resolution: [], satisfaction: [], proactive: [] },
    })
    const rows = rankChildren(reply, 'onTimeResponse')
    expect(rows.map((x) => x.unit)).toEqual(['640106001001', '640106001002', '640106001003', '640106001004'])
    expect(rows.map((x) => x.rank)).toEqual([1, 2, 3, null])
  })

  it('follows the API even where its order is not by value, and appends children it left out', () => {
    const reply = metricsReply('640106001', [small, big, mid, none], {
      rankings: { onTimeResponse: ['640106001002', '640106001001'], resolution: [], satisfaction: [], proactive: [] },
    })
    const rows = rankChildren(reply, 'onTimeResponse')
    // the two the API ranked, then the rest by lower bound (small has n = 2), the no-sample child last
    expect(rows.map((x) => x.unit)).toEqual(['640106001002', '640106001001', '640106001003', '640106001004'])
  })

  it('ranks times shortest first and counts by their direction; no value, no rank', () => {
    const fast = child('a1', 'fast', { responseTime: { p50: 600, p90: 1200, n: 10 }, overdue: { response: 3, resolution: 0 }, requests: 10, perThousand: 1.5 })
    const slow = child('a2', 'slow', { responseTime: { p50: 3600, p90: 7200, n: 10 }, overdue: { response: 0, resolution: 1 }, requests: 30, perThousand: 0.5 })
    const empty = child('a3', 'empty', {})
    const reply = metricsReply('x', [empty, slow, fast])
    expect(rankChildren(reply, 'responseP50').map((x) => [x.unit, x.rank])).toEqual([
      ['a1', 1],
      ['a2', 2],
      ['a3', null],
    ])
    expect(rankChildren(reply, 'overdue').map((x) => x.unit)).toEqual(['a3', 'a2', 'a1'])
    expect(rankChildren(reply, 'requests').map((x) => x.unit)).toEqual(['a2', 'a1', 'a3'])
    expect(rankChildren(reply, 'perThousand').map((x) => [x.unit, x.rank])).toEqual([
      ['a1', 1],
      ['a2', 2],
      ['a3', null],
    ])
  })

  it('ranks patrol coverage by its lower bound too', () => {
    const reply = metricsReply('x', [
      child('c1', 'tiny', { patrol: { coverage: r(1, 1), workersOnline: 1 } }),
      child('c2', 'wide', { patrol: { coverage: r(80, 100), workersOnline: 1 } }),
    ])
    expect(rankChildren(reply, 'coverage').map((x) => x.unit)).toEqual(['c2', 'c1'])
  })
})

describe('exported tables', () => {
  const { t } = createAppI18n('zh-CN').global
  const translate = (key: string, named?: Record<string, unknown>) => (named ? t(key, named) : t(key))

  it('writes one row per child with rates as percent and their n beside them', () => {
    const reply = metricsReply('640106001', [
      child('640106001001', '阅海社区', { onTimeResponse: r(9, 10), requests: 10, responseTime: { p50: 90, p90: 600, n: 9 }, perThousand: 1.234 }),
      child('640106001002', '宝湖社区', {}),
    ])
    const table = childrenTable(rankChildren(reply, 'onTimeResponse'), translate)
    expect(table.header.slice(0, 6)).toEqual(['排名', '单位编码', '名称', '诉求数', '响应率(%)', '响应率样本数'])
    expect(table.header).toContain('响应时长P50(分钟)')
    expect(table.header).toContain('巡查覆盖率(%)')
    expect(table.rows).toHaveLength(2)
    const first = table.rows[0]!
    expect(first.slice(0, 6)).toEqual([1, '640106001001', '阅海社区', 10, 90, 10])
    expect(first[table.header.indexOf('响应时长P50(分钟)')]).toBe(1.5)
    expect(first[table.header.indexOf('每千人诉求')]).toBe(1.23)
    const second = table.rows[1]!
    expect(second[0]).toBeNull()
    expect(second[4]).toBeNull()
  })

  it('writes overdue requests with the grid name and the translated stage', () => {
    const table = overdueTable(
      [{ id: 'r1', gridId: 'g1', priority: 'urgent', category: 'noise', stage: 'dispatched', receivedAt: Date.parse('2026-11-28T01:00:00Z'), ageSec: 5400, late: ['response', 'resolution'] }],
      () => '阅海社区第1网格',
      translate,
    )
    expect(table.rows[0]).toEqual(['r1', 'g1', '阅海社区第1网格', '紧急', '噪音扰民', '派单', '2026-11-28 09:00', 1.5, '响应超期 办结超期'])
  })
})
