import { describe, expect, it } from 'vitest'
import { DEFAULT_POLICY } from '../../shared/metrics'
import { bucketLabel, buildRatesChart, buildRequestsChart, ratePoint } from '../../client/leader/charts'
import { DEFAULT_CHILD_COLUMNS, parseColumns, toggleColumn, visibleColumns } from '../../client/leader/columns'
import { buildRequestsData } from '../../client/leader/map'
import { requestIdOf } from '../../client/leader/request-id'
import { deadlineStatus, stepTimings } from '../../client/leader/request-steps'
import { childShade, fittedBreaks, leaderScale, NO_DATA_COLOUR, rangeLabel, scaleEntries, shadeColour, THIN_COLOUR } from '../../client/leader/scales'
import type { RequestListItem } from '../../client/leader/api'
import { figures, r } from '../fixtures/leader-fixtures'

describe('the leader map’s scales', () => {
  it('colours a rate by its class, grey under 10 cases, dark without a value', () => {
    const scale = leaderScale('onTimeResponse', 1)
    expect(shadeColour(scale, childShade('onTimeResponse', figures({ onTimeResponse: r(96, 100) })))).toBe(scale.colours[4])
    expect(shadeColour(scale, childShade('onTimeResponse', figures({ onTimeResponse: r(59, 100) })))).toBe(scale.colours[0])
    // The break belongs to the class above it (≥), as MapLibre's `step` does.
    expect(shadeColour(scale, { value: 0.9, thin: false })).toBe(scale.colours[3])
    expect(childShade('onTimeResponse', figures({ onTimeResponse: r(3, 3) }))).toEqual({ value: 1, thin: true })
    expect(shadeColour(scale, childShade('onTimeResponse', figures({ onTimeResponse: r(3, 3) })))).toBe(THIN_COLOUR)
    expect(shadeColour(scale, childShade('onTimeResponse', figures({ onTimeResponse: r(0, 0) })))).toBe(NO_DATA_COLOUR)
  })

  it('times are better short: the shortest class is green, the longest red', () => {
    const scale = leaderScale('responseP50', 7)
    expect(shadeColour(scale, { value: 10 * 60, thin: false })).toBe('#16a34a')
    expect(shadeColour(scale, { value: 3 * 3600, thin: false })).toBe('#dc2626')
    expect(scale.minSample).toBeNull()
  })

  it('scales per-1,000 classes with the window and fits the request count to the children', () => {
    expect(leaderScale('perThousand', 1).breaks).toEqual([0.25, 0.5, 1, 2])
    expect(leaderScale('perThousand', 30).breaks).toEqual([7.5, 15, 30, 60])
    const breaks = fittedBreaks([3, 8, 12, 40, 41, 90, 200])
    expect(breaks).toHaveLength(4)
    for (let i = 1; i < breaks.length; i++) expect(breaks[i]!).toBeGreaterThan(breaks[i - 1]!)
    expect(leaderScale('requests', 1, [1, 1, 1]).breaks.every((b, i, all) => i === 0 || b > all[i - 1]!)).toBe(true)
    expect(leaderScale('requests', 1, [5, 10]).fitted).toBe(true)
  })

  it('labels each class', () => {
    const pct = (v: number) => `${Math.round(v * 100)}%`
    expect(scaleEntries(leaderScale('resolution', 1)).map((e) => rangeLabel(e, 'rate', pct))).toEqual(['< 60%', '60%–80%', '80%–90%', '90%–95%', '≥ 95%'])
    expect(scaleEntries(leaderScale('overdue', 1)).map((e) => rangeLabel(e, 'count', String))).toEqual(['0', '1–2', '3–5', '6–9', '≥ 10'])
  })
})

describe('the children table’s columns', () => {
  it('starts with the columns that fit, keeps a stored choice, always shows the ranking column', () => {
    expect(parseColumns(null)).toEqual([...DEFAULT_CHILD_COLUMNS])
    expect(parseColumns('not json')).toEqual([...DEFAULT_CHILD_COLUMNS])
    expect(parseColumns('["coverage","nonsense","requests"]')).toEqual(['requests', 'coverage'])
    expect(visibleColumns(['requests'], 'responseP90')).toEqual(['requests', 'responseP90'])
    expect(toggleColumn(['requests'], 'requests')).toEqual(['requests'])
    expect(toggleColumn(['requests', 'coverage'], 'proactive')).toEqual(['requests', 'proactive', 'coverage'])
  })
})

describe('search by request id', () => {
  it('takes a pasted id, refuses what cannot be one', () => {
    expect(requestIdOf('  leader-open ')).toBe('leader-open')
    expect(requestIdOf('#r-1')).toBe('r-1')
    expect(requestIdOf('a b')).toBeNull()
    expect(requestIdOf('../x')).toBeNull()
    expect(requestIdOf('')).toBeNull()
    expect(requestIdOf('x'.repeat(65))).toBeNull()
  })
})

describe('a request’s steps and deadlines', () => {
  const base = { receivedAt: '2026-11-28T01:00:00.000Z', priority: 'urgent' as const }
  const at = (min: number) => new Date(Date.parse(base.receivedAt) + min * 60_000).toISOString()

  it('measures each step from the one before', () => {
    const t = stepTimings({ ...base, stages: [{ seq: 1, stage: 'received', at: at(0) }, { seq: 2, stage: 'dispatched', at: at(5) }, { seq: 4, stage: 'accepted', at: at(12) }] })
    expect([...t.values()].map((s) => [s.sincePrevious, s.sinceReceived])).toEqual([
      [null, 0],
      [5 * 60_000, 5 * 60_000],
      [7 * 60_000, 12 * 60_000],
    ])
  })

  it('a deadline is met at its minute, missed after; open before, overdue after (urgent: 30 min, 2 h)', () => {
    const onTime = deadlineStatus({ ...base, stage: 'resolved', stages: [{ seq: 1, stage: 'accepted', at: at(30) }, { seq: 2, stage: 'resolved', at: at(121) }] }, DEFAULT_POLICY, Date.parse(at(200)))
    expect(onTime.map((d) => [d.kind, d.state, d.lateMs])).toEqual([
      ['response', 'met', null],
      ['resolution', 'missed', 60_000],
    ])
    const open = deadlineStatus({ ...base, stage: 'received', stages: [] }, DEFAULT_POLICY, Date.parse(at(40)))
    expect(open.map((d) => [d.state, d.leftMs, d.lateMs])).toEqual([
      ['overdue', null, 10 * 60_000],
      ['open', 80 * 60_000, null],
    ])
    // Resolved, then reopened: not resolved now, so the resolution deadline is not met.
    const reopened = deadlineStatus({ ...base, stage: 'reopened', stages: [{ seq: 1, stage: 'resolved', at: at(60) }, { seq: 2, stage: 'reopened', at: at(70) }] }, DEFAULT_POLICY, Date.parse(at(80)))
    expect(reopened[1]!.state).toBe('open')
  })
})

describe('the trend charts', () => {
  it('leave a rate over fewer than 10 cases out of the line, and never animate', () => {
    expect(ratePoint({ t: '', value: 1, n: 3 })).toBeNull()
    expect(ratePoint({ t: '', value: 0.9234, n: 40 })).toBe(92.3)
    const option = buildRatesChart(
      { onTimeResponse: [{ t: '', value: 1, n: 2 }], resolution: [{ t: '', value: 0.5, n: 10 }], satisfaction: [{ t: '', value: null, n: 0 }] },
      ['11-28'],
      { onTimeResponse: 'a', resolution: 'b', satisfaction: 'c' },
    )
    expect(option.animation).toBe(false)
    expect((option.series as { data: unknown[] }[]).map((s) => s.data)).toEqual([[null], [50], [null]])
    expect(buildRequestsChart([{ t: '', value: 4, n: 4 }], ['x'], 'n').animation).toBe(false)
  })

  it('labels buckets in the center’s zone', () => {
    expect(bucketLabel('2026-11-27T16:00:00.000Z', 'day', 'Asia/Shanghai')).toBe('11-28')
    expect(bucketLabel('2026-11-28T06:00:00.000Z', 'hour', 'Asia/Shanghai')).toBe('14')
  })
})

describe('the map’s request dots', () => {
  it('draws open requests with a position, urgent ones on top', () => {
    const item = (id: string, priority: RequestListItem['priority'], lon?: number): RequestListItem => ({
      id,
      gridId: 'g',
      source: 'app',
      category: 'noise',
      priority,
      stage: 'received',
      stageAt: 0,
      receivedAt: 0,
      ...(lon === undefined ? {} : { lon, lat: 38.5 }),
    })
    const data = buildRequestsData([item('u', 'urgent', 106), item('g', 'general', 106.1), item('none', 'general')])
    expect(data.features.map((f) => f.properties.id)).toEqual(['g', 'u'])
  })
})
