// The report page (/report): its figures are GET /api/v1/metrics for the same unit and period, it
// prints on A4 (print media: no toolbar), it renders a kept report, and it shows a leader's 403 as
// a message. The PDF is printed by the same function as `npm run report` and read back with pdf.js.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { pdfText } from '../helpers/pdf-text'
import type { MetricsReply } from '../../shared/metrics'
import { REPORT_FIGURES, figureValue, type ReportData } from '../../shared/report'
import { addDays, localDate } from '../../shared/time'
import { generateClosedReports } from '../../server/reports/generator'
import { reportId } from '../../server/reports/archive'
import { printReportPdf } from '../../server/reports/print'
import { getJson, launchChromium } from '../helpers/browser'
import { pointIn, sampleGeography } from '../helpers/build-app'
import { serveBuiltApp } from '../helpers/serve-built-app'
import { daytimeZone } from '../helpers/daytime'
import { LIVENESS_MS } from '../helpers/wait-for'

const geography = sampleGeography()
const STREET = '640106001'
const OTHER = '640106002'
const LEADER = { username: 'report-leader', password: 'a-long-street-password', role: 'leader' as const, unit: STREET }
const GRID = geography.children(geography.children(STREET)[0]!.id)[0]!.id

let server: Awaited<ReturnType<typeof serveBuiltApp>>
let browser: Browser
let center: BrowserContext
let leader: BrowserContext
let tz: string
let today: string
const errors: string[] = []

async function post(url: string, payload: object): Promise<void> {
  const res = await server.inject({ method: 'POST', url, payload })
  if (res.statusCode >= 300) throw new Error(`POST ${url}: ${res.statusCode} ${res.body}`)
}

async function open(context: BrowserContext, path: string): Promise<Page> {
  const page = await context.newPage()
  page.on('pageerror', (error) => errors.push(error.message))
  await page.goto(`${server.url}${path}`)
  await page.waitForFunction(() => document.documentElement.dataset.reportReady === 'true', undefined, { timeout: LIVENESS_MS })
  return page
}

/** Each headline figure's raw value on the page (data-value), by name. */
async function pageFigures(page: Page): Promise<Record<string, { value: number | null; n: number }>> {
  return page.$$eval('table.figures tr[data-figure]', (rows) =>
    Object.fromEntries(
      rows.map((r) => {
        const el = r as HTMLElement
        return [el.dataset.figure!, { value: el.dataset.value === '' ? null : Number(el.dataset.value), n: Number(el.dataset.n) }]
      }),
    ),
  )
}

beforeAll(async () => {
  tz = daytimeZone()
  server = await serveBuiltApp({ users: [LEADER], timeZone: tz })
  today = localDate(Date.now(), tz)
  const ago = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString()
  await post('/api/v1/requests', { id: 'report-open', source: 'hotline', category: 'noise', priority: 'general', location: pointIn(geography, GRID), receivedAt: ago(20) })
  await post('/api/v1/patrols', { pings: [{ workerId: 'w-r1', kind: 'ping', location: pointIn(geography, GRID), at: ago(19) }] })
  // Dispatched in 2 minutes, accepted 8 minutes later: accepting is the slowest segment.
  await post('/api/v1/requests/report-open/transitions', { stage: 'dispatched', at: ago(18), assignee: { kind: 'worker', id: 'w-r1' } })
  await post('/api/v1/requests/report-open/transitions', { stage: 'accepted', at: ago(10) })
  // Urgent and three hours old without a response: overdue.
  await post('/api/v1/requests', { id: 'report-late', source: 'grid_chat', category: 'safety_hazard', priority: 'urgent', location: pointIn(geography, GRID), receivedAt: ago(180) })
  await post('/api/v1/requests', { id: 'report-other', source: 'app', category: 'environment', priority: 'general', location: pointIn(geography, OTHER), receivedAt: ago(30) })
  browser = await launchChromium()
  center = await browser.newContext({ viewport: { width: 1200, height: 1000 } })
  const [name, value] = server.headers.cookie.split('=') as [string, string]
  await center.addCookies([{ name, value, url: server.url }])
  leader = await browser.newContext({ viewport: { width: 1200, height: 1000 } })
  const leaderCookie = (await server.login(LEADER)).split('=') as [string, string]
  await leader.addCookies([{ name: leaderCookie[0], value: leaderCookie[1], url: server.url }])
}, 60_000)

afterAll(async () => {
  await browser?.close()
  await server?.close()
})

describe('/report', () => {
  it("shows each figure with data-figure, equal to GET /api/v1/metrics for the same unit and period, with the previous period's", async () => {
    for (const period of ['day', 'week'] as const) {
      const page = await open(center, `/report?unit=${STREET}&period=${period}&date=${today}`)
      const shown = await pageFigures(page)
      const data = await page.evaluate(() => document.querySelector('article.sheet')?.getAttribute('data-period'))
      expect(data).toBe(period)
      const range = await page.getByTestId('report-range').innerText()
      const from = period === 'day' ? today : range.match(/(\d{4}-\d{2}-\d{2})/)![1]!
      const to = addDays(from, period === 'day' ? 1 : 7)
      const metrics = await getJson<MetricsReply>(server, `/api/v1/metrics?unit=${STREET}&from=${from}&to=${to}`)
      const previous = await getJson<MetricsReply>(server, `/api/v1/metrics?unit=${STREET}&from=${addDays(from, period === 'day' ? -1 : -7)}&to=${from}`)
      expect(Object.keys(shown)).toEqual([...REPORT_FIGURES])
      for (const name of REPORT_FIGURES) {
        expect(shown[name], `${period} ${name}`).toEqual(figureValue(metrics.figures, name))
        const before = await page.getAttribute(`tr[data-figure="${name}"]`, 'data-previous')
        expect(before === '' ? null : Number(before), `${period} previous ${name}`).toEqual(figureValue(previous.figures, name).value)
      }
      expect(shown['requests']!.value).toBe(2)
      await expect(page.getByTestId('report-title').innerText()).resolves.toContain(geography.get(STREET)!.name)
      await expect(page.getByTestId('report-center').innerText()).resolves.toBe(geography.district.name)
      // The overdue list: the urgent request without a response.
      expect(await page.getByTestId('report-overdue-row').allInnerTexts()).toEqual([expect.stringContaining('report-late')])
      expect(await page.getAttribute('[data-figure="slowestSegment"]', 'data-value')).toBe('accept')
      await page.close()
    }
  })

  it('prints: under print media the toolbar is gone and the sheet fills the page', async () => {
    const page = await open(center, `/report?unit=${STREET}&period=day&date=${today}`)
    await expect(page.getByTestId('report-print').isVisible()).resolves.toBe(true)
    await page.emulateMedia({ media: 'print' })
    await expect(page.getByTestId('report-print').isVisible()).resolves.toBe(false)
    await expect(page.locator('article.sheet').isVisible()).resolves.toBe(true)
    expect(await page.evaluate(() => getComputedStyle(document.body).backgroundColor)).toBe('rgb(255, 255, 255)')
    await page.close()
  })

  it('the PDF (the function npm run report prints with) has its pages and the figures in its text', async () => {
    const token = server.headers.cookie.split('=')[1]!
    const pdf = await printReportPdf({ baseUrl: server.url, sessionToken: token, path: `/report?unit=${STREET}&period=day&date=${today}` })
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-')
    const read = await pdfText(new Uint8Array(pdf))
    // A street's day with two requests: the figures, segments, overdue list, categories and the rest fit two A4 pages.
    expect(read.pages).toBe(2)
    // A4 portrait in points.
    expect([Math.round(read.width), Math.round(read.height)]).toEqual([595, 842])
    const text = read.text.join('\n')
    expect(text).toContain(geography.get(STREET)!.name)
    expect(text).toContain(geography.district.name)
    expect(text).toContain('report-late')
    expect(text).toContain('诉求数')
    expect(Number(/诉求数\s*(\d+)/.exec(text)![1])).toBe(2)
  })

  it('a leader opens their own unit; another street is refused with a clear message', async () => {
    const own = await open(leader, `/report?period=day&date=${today}`)
    await expect(own.locator('article.sheet').getAttribute('data-unit')).resolves.toBe(STREET)
    await own.close()
    const other = await open(leader, `/report?unit=${OTHER}&period=day&date=${today}`)
    await expect(other.getByTestId('report-problem').innerText()).resolves.toContain(`单位 ${OTHER} 不在您的管辖范围内`)
    expect(await other.locator('[data-figure]').count()).toBe(0)
    await other.close()
  })

  it('renders a kept report (/report?id=) as the archive holds it', async () => {
    await generateClosedReports(server.app, server.app.reports, { days: 1, weeks: 0 })
    const id = reportId(STREET, 'day', addDays(today, -1))
    const kept = await getJson<ReportData>(server, `/api/v1/reports/${id}`)
    const page = await open(leader, `/report?id=${id}&lang=en`)
    await expect(page.locator('article.sheet').getAttribute('data-kept')).resolves.toBe('true')
    const shown = await pageFigures(page)
    for (const name of REPORT_FIGURES) expect(shown[name], name).toEqual(figureValue(kept.figures, name))
    await expect(page.getByTestId('report-title').innerText()).resolves.toContain('Daily report')
    await page.close()
  })

  it("the leader view lists the kept reports of the leader's street, to open or download, and links to the live ones", async () => {
    // What the server's catch-up at start keeps (the last 7 closed days and 4 closed weeks), surely done.
    await generateClosedReports(server.app, server.app.reports)
    const page = await leader.newPage()
    page.on('pageerror', (error) => errors.push(error.message))
    await page.goto(`${server.url}/leader`)
    const id = reportId(STREET, 'day', addDays(today, -1))
    const row = page.locator(`[data-testid="leader-reports"] li[data-report="${id}"]`)
    await row.waitFor({ timeout: LIVENESS_MS })
    // Only the leader's own street: the district's and the other streets' kept reports are not listed.
    const ids = await page.locator('[data-testid="leader-reports"] li[data-report]').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.report!))
    expect(ids).toContain(id)
    expect(ids.every((i) => i.startsWith(`${STREET}-`))).toBe(true)
    expect(ids.filter((i) => i.includes('-week-'))).toHaveLength(4)
    expect(ids.filter((i) => i.includes('-day-'))).toHaveLength(7)
    expect(await row.locator('a').nth(0).getAttribute('href')).toBe(`/report?id=${id}`)
    const csvHref = await row.locator('a').nth(1).getAttribute('href')
    expect(csvHref).toBe(`/api/v1/reports/${id}.csv`)
    const csv = await page.request.get(`${server.url}${csvHref}`)
    expect(csv.status()).toBe(200)
    expect(await csv.text()).toContain(`report ${STREET}`)
    expect(await page.getByTestId('report-week').getAttribute('href')).toBe(`/report?unit=${STREET}&period=week`)
    await page.close()
    expect(errors).toEqual([])
  })
})
