// Figures and replies for the leader tests: every figure at "no data", with what a test sets.
import { ALERT_KINDS } from '../../shared/domain'
import { emptyByCategory, rate, type Figures, type Rate, type TimeStat } from '../../shared/metrics'
import type { Geography } from '../../shared/schemas/geography'
import type { ChildFigures, MetricsReply } from '../../client/leader/api'

const noTime = (): TimeStat => ({ p50: null, p90: null, n: 0 })

export function figures(patch: Partial<Figures> = {}): Figures {
  return {
    requests: 0,
    perThousand: null,
    responseTime: noTime(),
    resolutionTime: noTime(),
    segments: { dispatch: noTime(), accept: noTime(), travel: noTime(), work: noTime() },
    onTimeResponse: rate(0, 0),
    resolution: rate(0, 0),
    satisfaction: rate(0, 0),
    proactive: rate(0, 0),
    overdue: { response: 0, resolution: 0 },
    byCategory: emptyByCategory(),
    handledByCategory: emptyByCategory(),
    camera: {
      alerts: 0,
      reviewed: 0,
      precision: rate(0, 0),
      reviewTime: noTime(),
      byKind: Object.fromEntries(ALERT_KINDS.map((k) => [k, { alerts: 0, reviewed: 0, confirmed: 0, precision: null }])) as Figures['camera']['byKind'],
    },
    patrol: { coverage: rate(0, 0), workersOnline: 0 },
    ...patch,
  }
}

export function child(unit: string, name: string, patch: Partial<Figures> = {}): ChildFigures {
  return { unit, name, figures: figures(patch) }
}

export function metricsReply(unit: string, children: ChildFigures[], patch: Partial<MetricsReply> = {}): MetricsReply {
  return {
    unit,
    name: `unit ${unit}`,
    from: '2026-11-28T00:00:00+08:00',
    to: '2026-11-29T00:00:00+08:00',
    now: '2026-11-28T10:00:00+08:00',
    figures: figures({ requests: children.length }),
    children,
    rankings: { onTimeResponse: [], resolution: [], satisfaction: [], proactive: [] },
    ...patch,
  }
}

export const r = (k: number, n: number): Rate => rate(k, n)

/** A street, two communities and a grid under the first, as square polygons. */
export function smallGeography(): Geography {
  const square = (x: number): [number, number][][] => [
    [
      [106 + x, 38],
      [106.01 + x, 38],
      [106.01 + x, 38.01],
      [106 + x, 38.01],
      [106 + x, 38],
    ],
  ]
  const unit = (id: string, level: 'district' | 'street' | 'community' | 'grid', parentId: string | null, name: string, x: number) => ({
    type: 'Feature' as const,
    id,
    properties: { id, level, parentId, name },
    geometry: { type: 'Polygon' as const, coordinates: square(x) },
  })
  return {
    type: 'FeatureCollection',
    features: [
      unit('640106001', 'street', '640106', '满城北街街道', 0),
      unit('640106001001', 'community', '640106001', '阅海社区', 0),
      unit('640106001002', 'community', '640106001', '宝湖社区', 0.02),
      unit('64010600100101', 'grid', '640106001001', '阅海社区第1网格', 0),
    ],
  }
}
