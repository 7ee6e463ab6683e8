// The report's tables as one CSV file (the page's download, `npm run report -- --csv`, and
// GET /api/v1/reports/:id.csv): sections one after another, each a title row, a header and its rows.
// Column names are the figures' own names, the same in every language, so a spreadsheet that reads
// the file keeps working whichever language the page was in. Pure: the server imports it too.
import { FIGURE_KIND, REPORT_FIGURES, categoryRows, figureDelta, figureValue, type ReportData } from '../../shared/report'
import { CSV_BOM, CSV_EOL, csvCell, type CsvCell } from '../lib/csv'

export function reportCsv(report: ReportData): string {
  const rows: CsvCell[][] = []
  const section = (title: string, header: string[], body: CsvCell[][]) => {
    if (rows.length) rows.push([])
    rows.push([title], header, ...body)
  }
  section(
    `report ${report.unit} ${report.name} ${report.period} ${report.label}`,
    ['center', 'unit', 'name', 'period', 'label', 'from', 'to', 'timeZone', 'asOf'],
    [[report.center, report.unit, report.name, report.period, report.label, report.from, report.to, report.timeZone, report.asOf]],
  )
  section(
    'figures',
    ['figure', 'kind', 'value', 'n', 'previous', 'previousN', 'delta'],
    REPORT_FIGURES.map((name) => {
      const now = figureValue(report.figures, name)
      const before = figureValue(report.previous, name)
      return [name, FIGURE_KIND[name], now.value, now.n, before.value, before.n, figureDelta(report.figures, report.previous, name)]
    }),
  )
  section(
    'segments',
    ['segment', 'p50Sec', 'p90Sec', 'n', 'slowest'],
    (['dispatch', 'accept', 'travel', 'work'] as const).map((s) => {
      const t = report.figures.segments[s]
      return [s, t.p50, t.p90, t.n, report.slowest?.segment === s]
    }),
  )
  section('categories', ['category', 'requests', 'handled'], categoryRows(report.figures).map((r) => [r.category, r.count, r.handled]))
  section(
    'overdue',
    ['id', 'gridId', 'category', 'priority', 'stage', 'receivedAt', 'late'],
    report.overdue.map((o) => [o.id, o.gridId, o.category, o.priority, o.stage, new Date(o.receivedAt).toISOString(), o.late.join(' ')]),
  )
  section(
    'camera',
    ['kind', 'alerts', 'reviewed', 'confirmed', 'precision'],
    Object.entries(report.figures.camera.byKind).map(([kind, k]) => [kind, k.alerts, k.reviewed, k.confirmed, k.precision]),
  )
  section(
    'children',
    ['unit', 'name', 'requests', 'onTimeResponse', 'onTimeResponseN', 'overdueResolution', 'coverage'],
    report.children.map((c) => [c.unit, c.name, c.figures.requests, c.figures.onTimeResponse.value, c.figures.onTimeResponse.n, c.figures.overdue.resolution, c.figures.patrol.coverage.value]),
  )
  section('activities', ['kind', 'activities', 'participants'], (report.activities ?? []).map((a) => [a.kind, a.activities, a.participants]))
  section(
    'hotspots',
    ['id', 'category', 'count', 'radiusM', 'grids'],
    (report.hotspots ?? []).map((h) => [h.id, h.category, h.count, h.radiusM, h.gridIds.join(' ')]),
  )
  return CSV_BOM + rows.map((row) => row.map(csvCell).join(',') + CSV_EOL).join('')
}
