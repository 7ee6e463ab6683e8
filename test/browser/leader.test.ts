import { readFile } from 'node:fs/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import type { MetricsReply } from '../../shared/metrics'
import type { AuditReply } from '../../shared/schemas/audit'
import { getJson, launchChromium } from '../helpers/browser'
import { geometryBbox } from '../../shared/domain'
import { pointIn, sampleGeography } from '../helpers/build-app'
import { serveBuiltApp } from '../helpers/serve-built-app'
import { daytimeZone } from '../helpers/daytime'
import { LIVENESS_MS } from '../helpers/wait-for'

const STREET = '640106001'
const LEADER = { username: 'street-leader', password: 'a-long-street-password', role: 'leader' as const, unit: STREET }

const geography = sampleGeography()
const COMMUNITY = geography.children(STREET)[0]!.id
const OTHER_COMMUNITY = geography.children(STREET)[1]!.id
// The second grid, so that clicking the first polygon on the map would be the wrong answer.
const GRID = geography.children(COMMUNITY)[1]!.id

let server: Awaited<ReturnType<typeof serveBuiltApp>>
let browser: Browser
let context: BrowserContext
let page: Page
const offsite: string[] = []
const errors: string[] = []

async function post(url: string, payload: object): Promise<void> {
  const res = await server.inject({ method: 'POST', url, payload })
  if (res.statusCode >= 300) throw new Error(`POST ${url}: ${res.statusCode} ${res.body}`)
}

/** The API's answer with the page's own session cookie. */
async function api<T>(path: string): Promise<T> {
  const res = await page.request.get(`${server.url}${path}`)
  expect(res.status(), path).toBe(200)
  return (await res.json()) as T
}

/** A point in a (rectangular sample) grid away from its centre, where the test's requests sit as dots that open the request. */
function offCentre(gridId: string): { lon: number; lat: number } {
  const [west, south, east, north] = geometryBbox(geography.get(gridId)!.geometry)
  return { lon: west + (east - west) * 0.25, lat: south + (north - south) * 0.25 }
}

const main = (unit: string) => page.locator(`[data-testid="leader-main"][data-unit="${unit}"]`)

beforeAll(async () => {
  // "Today" must hold the setup's last three hours whatever the hour this runs at (a run just after
  // midnight in the center's zone would find the dispatch of leader-open in yesterday).
  server = await serveBuiltApp({ users: [LEADER], timeZone: daytimeZone() })
  const ago = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString()
  await post('/api/v1/requests', {
    id: 'leader-open',
    source: 'hotline',
    category: 'noise',
    priority: 'general',
    location: pointIn(geography, GRID),
    receivedAt: ago(20),
    description: '楼上夜间装修噪音扰民',
    reporter: { name: '张三', phone: '13812345678' },
  })
  // The grid worker reports first: a dispatch names someone the store has seen.
  await post('/api/v1/patrols', { pings: [{ workerId: 'w-1', kind: 'ping', location: pointIn(geography, GRID), at: ago(16) }] })
  await post('/api/v1/requests/leader-open/transitions', { stage: 'dispatched', at: ago(15), assignee: { kind: 'worker', id: 'w-1' } })
  // Urgent and three hours old without a response: overdue.
  await post('/api/v1/requests', { id: 'leader-late', source: 'grid_chat', category: 'safety_hazard', priority: 'urgent', location: pointIn(geography, GRID), receivedAt: ago(180) })
  await post('/api/v1/requests', { id: 'leader-other', source: 'app', category: 'environment', priority: 'general', location: pointIn(geography, OTHER_COMMUNITY), receivedAt: ago(30) })

  browser = await launchChromium()
  context = await browser.newContext({ viewport: { width: 1600, height: 1000 }, acceptDownloads: true })
  page = await context.newPage()
  page.on('request', (request) => {
    const url = request.url()
    if (!url.startsWith(server.url) && !url.startsWith('data:') && !url.startsWith('blob:')) offsite.push(url)
  })
  page.on('pageerror', (error) => errors.push(error.message))
})

afterAll(async () => {
  await browser?.close()
  await server?.close()
})

describe('/leader in Chromium', () => {
  it('sends a visitor to the login, says a wrong password, then comes back', async () => {
    await page.goto(`${server.url}/leader`)
    await page.waitForURL((url) => url.pathname === '/login')
    expect(new URL(page.url()).searchParams.get('next')).toBe('/leader')

    await page.getByLabel('用户名').fill(LEADER.username)
    await page.getByLabel('密码').fill('wrong password')
    await page.getByRole('button', { name: '登录' }).click()
    await expect.poll(() => page.locator('[data-testid="login-error"]').textContent(), { timeout: LIVENESS_MS }).toBe('用户名或密码错误')

    await page.getByLabel('密码').fill(LEADER.password)
    await page.getByRole('button', { name: '登录' }).click()
    // The leader starts at their own street, and the URL says so.
    await page.waitForURL((url) => url.pathname === '/leader' && url.searchParams.get('unit') === STREET)
    const query = new URL(page.url()).searchParams
    expect(query.get('window')).toBe('today')
    expect(query.get('figure')).toBe('onTimeResponse')
    await main(STREET).waitFor()
    const crumbs = await page.locator('[data-testid="breadcrumbs"] li').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.unit))
    expect(crumbs).toEqual([STREET])
  })

  it('ranks the street’s communities as the API does, and drills into one from the table', async () => {
    const reply = await api<{ children: { unit: string }[]; rankings: { onTimeResponse: string[] } }>(`/api/v1/metrics?unit=${STREET}`)
    const rows = page.locator('[data-testid="children-table"] tbody tr[data-unit]')
    await expect.poll(() => rows.count(), { timeout: LIVENESS_MS }).toBe(reply.children.length)
    expect(await rows.evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.unit))).toEqual(reply.rankings.onTimeResponse)

    await page.locator(`[data-testid="children-table"] tr[data-unit="${COMMUNITY}"]`).click()
    await page.waitForURL((url) => url.searchParams.get('unit') === COMMUNITY)
    await main(COMMUNITY).waitFor()
    const crumbs = await page.locator('[data-testid="breadcrumbs"] li').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.unit))
    expect(crumbs).toEqual([STREET, COMMUNITY])
  })

  it('exports the children table as CSV that matches the API', async () => {
    const reply = await api<{ children: { unit: string; name: string }[] }>(`/api/v1/metrics?unit=${COMMUNITY}`)
    await expect.poll(() => page.locator('[data-testid="children-table"] tbody tr[data-unit]').count(), { timeout: LIVENESS_MS }).toBe(reply.children.length)
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('[data-testid="export-csv"][data-table="children"]').click()])
    expect(download.suggestedFilename()).toMatch(new RegExp(`^children-${COMMUNITY}-\\d{4}-\\d{2}-\\d{2}\\.csv$`))
    const bytes = await readFile((await download.path())!)
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf])
    const text = bytes.subarray(3).toString('utf8')
    expect(text.endsWith('\r\n')).toBe(true)
    const lines = text.slice(0, -2).split('\r\n')
    expect(lines[0]!.startsWith('排名,单位编码,名称,诉求数,响应率(%),响应率样本数')).toBe(true)
    expect(lines).toHaveLength(1 + reply.children.length)
    const ids = lines.slice(1).map((line) => line.split(',')[1])
    expect(new Set(ids)).toEqual(new Set(reply.children.map((c) => c.unit)))
    // Chinese intact
    expect(lines.slice(1).map((line) => line.split(',')[2])).toContain(reply.children[0]!.name)
    // The export is in the audit trail, under the leader's name, with its unit (read as the center).
    const audit = await getJson<AuditReply>(server, `/api/v1/audit?user=${LEADER.username}`)
    expect(audit.entries.filter((e) => e.action === 'export.csv').map((e) => ({ target: e.target, unit: e.unit }))).toEqual([
      { target: 'export:children', unit: COMMUNITY },
    ])
  })

  it('drills from the community to a grid by clicking its polygon on the map', async () => {
    await page.locator(`[data-testid="leader-map"][data-ready-unit="${COMMUNITY}"]`).waitFor({ timeout: LIVENESS_MS })
    const box = (await page.locator('[data-testid="leader-map"]').boundingBox())!
    const point = await page.evaluate(({ lon, lat }) => {
      const p = window.__outpostMap!.project([lon, lat])
      return { x: p.x, y: p.y }
    }, offCentre(GRID))
    await page.mouse.click(box.x + point.x, box.y + point.y)
    await page.waitForURL((url) => url.searchParams.get('unit') === GRID)
    await page.locator(`[data-testid="leader-main"][data-unit="${GRID}"][data-level="grid"]`).waitFor()

    // Its open requests, reporter masked.
    const open = page.locator('[data-testid="grid-requests"] tr[data-request="leader-open"]')
    await open.waitFor()
    expect(await open.textContent()).toContain('张*')
    expect(await open.textContent()).toContain('138****5678')
    expect(await open.textContent()).not.toContain('张三')
    await page.locator('[data-testid="grid-workers"]').waitFor()
    await page.locator('[data-testid="grid-alerts"]').waitFor()
    await page.locator('[data-figure="coverage"] [data-testid="figure-value"]').waitFor()

    // Live: a new request in the grid shows in its list and in its figures without a reload.
    await page.locator('[data-testid="live-state"][data-state="live"]').waitFor({ timeout: LIVENESS_MS })
    const requestsFigure = page.locator('[data-figure="requests"] [data-testid="figure-value"]')
    const before = Number(await requestsFigure.textContent())
    await post('/api/v1/requests', { id: 'leader-live', source: 'qr', category: 'property', priority: 'general', location: pointIn(geography, GRID) })
    await page.locator('[data-testid="grid-requests"] tr[data-request="leader-live"]').waitFor({ timeout: LIVENESS_MS })
    await expect.poll(async () => Number(await requestsFigure.textContent()), { timeout: LIVENESS_MS }).toBe(before + 1)
  })

  it('lists the overdue request, oldest first, and opens its timeline', async () => {
    const overdue = await api<{ items: { id: string }[] }>(`/api/v1/overdue?unit=${GRID}`)
    expect(overdue.items.map((i) => i.id)).toContain('leader-late')
    const rows = page.locator('[data-testid="overdue-list"] tr[data-request]')
    await expect.poll(() => rows.evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.request)), { timeout: LIVENESS_MS }).toEqual(overdue.items.map((i) => i.id))

    await page.locator('[data-testid="grid-requests"] tr[data-request="leader-open"]').click()
    await page.waitForURL((url) => url.pathname === '/leader/requests/leader-open')
    const stages = page.locator('[data-testid="request-timeline"] li')
    await expect.poll(() => stages.evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.stage)), { timeout: LIVENESS_MS }).toEqual(['received', 'dispatched'])
    expect(await stages.nth(1).textContent()).toContain('w-1')
    // A reload (or a shared link) of the request page opens it again.
    await page.reload()
    await expect.poll(() => stages.count(), { timeout: LIVENESS_MS }).toBe(2)
  })

  it('says “not in your scope” for another street, and logs out', async () => {
    await page.goto(`${server.url}/leader?unit=640106002`)
    await page.locator('[data-testid="out-of-scope"]').waitFor()
    const res = await page.request.get(`${server.url}/api/v1/metrics?unit=640106002`)
    expect(res.status()).toBe(403)

    await page.locator('[data-testid="logout"]').click()
    await page.waitForURL((url) => url.pathname === '/login')
    await page.locator('[data-testid="login-form"]').waitFor()
    expect((await page.request.get(`${server.url}/api/v1/session`)).status()).toBe(401)
    await page.goto(`${server.url}/leader?unit=${STREET}`)
    await page.waitForURL((url) => url.pathname === '/login')

    expect(errors).toEqual([])
    expect(offsite).toEqual([])
  })
})

describe('/leader on a 1440×900 laptop', () => {
  let laptop: Page
  const get = async <T>(path: string): Promise<T> => {
    const res = await laptop.request.get(`${server.url}${path}`)
    expect(res.status(), path).toBe(200)
    return (await res.json()) as T
  }

  beforeAll(async () => {
    const ctx = await browser.newContext({ viewport: { width: 1440, height: 900 } })
    laptop = await ctx.newPage()
    laptop.on('pageerror', (error) => errors.push(error.message))
    const res = await laptop.request.post(`${server.url}/api/v1/session`, { data: { username: LEADER.username, password: LEADER.password } })
    expect(res.status()).toBe(200)
  })

  it('fits the children table and the figures without wrapping, colours the map by the ranking figure, and marks the open requests', async () => {
    await laptop.goto(`${server.url}/leader?unit=${STREET}&window=today&figure=onTimeResponse`)
    await laptop.locator(`[data-testid="leader-map"][data-ready-unit="${STREET}"]`).waitFor({ timeout: LIVENESS_MS })
    const reply = await get<MetricsReply>(`/api/v1/metrics?unit=${STREET}`)
    await expect.poll(() => laptop.locator('[data-testid="children-table"] tbody tr[data-unit]').count(), { timeout: LIVENESS_MS }).toBe(reply.children.length)

    // No sideways scrolling at 1440 px, and every default column is there.
    const scroll = await laptop.locator('[data-testid="children-scroll"]').evaluate((el) => ({ scroll: el.scrollWidth, client: el.clientWidth }))
    expect(scroll.scroll).toBeLessThanOrEqual(scroll.client)
    const cols = await laptop.locator('[data-testid="children-table"] thead th[data-col]').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.col))
    expect(cols).toEqual(expect.arrayContaining(['perThousand', 'coverage', 'onTimeResponse', 'resolution', 'satisfaction']))
    // "29 分钟 / 1.8 小时" on one line: each figure's value is one line high and not cut.
    const values = await laptop.locator('[data-testid="figure-value"]').evaluateAll((els) =>
      els.map((e) => ({ lines: e.getBoundingClientRect().height / (1.5 * parseFloat(getComputedStyle(e).fontSize)), over: e.scrollWidth - e.clientWidth })),
    )
    for (const v of values) {
      expect(v.lines).toBeLessThan(1.2)
      expect(v.over).toBeLessThanOrEqual(0)
    }

    // Each child's polygon carries its figure (feature state), the legend names the figure and its classes.
    const states = await laptop.evaluate((ids) => ids.map((id) => window.__outpostMap!.getFeatureState({ source: 'grids', id })), reply.children.map((c) => c.unit))
    reply.children.forEach((c, i) => {
      expect(states[i]!.value ?? null).toBe(c.figures.onTimeResponse.value)
      expect(states[i]!.thin).toBe(c.figures.onTimeResponse.n > 0 && c.figures.onTimeResponse.n < 10)
    })
    expect(await laptop.locator('[data-testid="leader-legend"]').getAttribute('data-figure')).toBe('onTimeResponse')
    expect(await laptop.locator('[data-testid="leader-legend"] [data-testid="legend-class"]').count()).toBe(7)
    const open = await get<{ items: { id: string; priority: string }[] }>(`/api/v1/requests?unit=${STREET}&open=true&limit=3000`)
    const legendCounts = await laptop.locator('[data-testid="legend-priority"]').evaluateAll((els) => els.map((e) => [(e as HTMLElement).dataset.priority, e.textContent!.trim()]))
    for (const [priority, text] of legendCounts) expect(text).toContain(String(open.items.filter((r) => r.priority === priority).length))
    const dots = await laptop.evaluate(() => window.__outpostMap!.querySourceFeatures('leader-requests').map((f) => f.properties!.id as string))
    expect(new Set(dots)).toEqual(new Set(open.items.map((r) => r.id)))

    // Another ranking figure recolours the map (same layers, new paint).
    await laptop.locator('[data-testid="figure-select"]').selectOption('requests')
    await expect.poll(() => laptop.locator('[data-testid="leader-legend"]').getAttribute('data-figure')).toBe('requests')
    const requests = await laptop.evaluate((id) => window.__outpostMap!.getFeatureState({ source: 'grids', id }).value, reply.children[0]!.unit)
    expect(requests).toBe(reply.children[0]!.figures.requests)
  })

  it('opens a request from its dot on the map; the department table fits too', async () => {
    await laptop.goto(`${server.url}/leader?unit=${STREET}&window=today&figure=onTimeResponse`)
    await laptop.locator(`[data-testid="leader-map"][data-ready-unit="${STREET}"]`).waitFor({ timeout: LIVENESS_MS })
    const dept = await laptop.locator('[data-testid="department-table"]').evaluate((el) => ({ scroll: el.parentElement!.scrollWidth, client: el.parentElement!.clientWidth }))
    expect(dept.scroll).toBeLessThanOrEqual(dept.client)
    // The dots arrive with the open requests; then the one of leader-other is where it was reported.
    await expect.poll(() => laptop.evaluate(() => window.__outpostMap!.querySourceFeatures('leader-requests').length), { timeout: LIVENESS_MS }).toBeGreaterThan(0)
    const box = (await laptop.locator('[data-testid="leader-map"]').boundingBox())!
    const point = await laptop.evaluate(({ lon, lat }) => window.__outpostMap!.project([lon, lat]), pointIn(geography, OTHER_COMMUNITY))
    await laptop.mouse.click(box.x + point.x, box.y + point.y)
    await laptop.waitForURL((url) => url.pathname === '/leader/requests/leader-other')
    await laptop.goBack()
    await laptop.locator(`[data-testid="leader-map"][data-ready-unit="${STREET}"]`).waitFor({ timeout: LIVENESS_MS })
  })

  it('shows the segment times exactly as the API has them, labelled by their stages, and the trend charts', async () => {
    const reply = await get<MetricsReply>(`/api/v1/metrics?unit=${STREET}`)
    const rows = laptop.locator('[data-testid="segment-row"]')
    await expect.poll(() => rows.count(), { timeout: LIVENESS_MS }).toBe(4)
    const shown = await rows.evaluateAll((els) =>
      els.map((e) => {
        const d = (e as HTMLElement).dataset
        return { segment: d.segment, p50: d.p50 === '' ? null : Number(d.p50), p90: d.p90 === '' ? null : Number(d.p90), n: Number(d.n), label: e.querySelector('th')!.textContent }
      }),
    )
    expect(shown.map(({ segment, p50, p90, n }) => ({ segment, p50, p90, n }))).toEqual(
      (['dispatch', 'accept', 'travel', 'work'] as const).map((s) => ({ segment: s, ...reply.figures.segments[s] })),
    )
    expect(shown.map((s) => s.label!.replace(/\s+/g, ''))).toEqual(['受理→派单派单', '派单→签收签收', '签收→到场到场', '到场→办结办结'])
    // At least one segment has a value here (leader-open was dispatched 5 minutes after receipt).
    expect(shown[0]!.n).toBeGreaterThan(0)

    // Three charts (requests, response P50/P90, the three rates), drawn.
    const charts = laptop.locator('[data-testid="trend-chart"]')
    await expect.poll(() => charts.count(), { timeout: LIVENESS_MS }).toBe(3)
    expect(await charts.evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.chart))).toEqual(['requests', 'responseTime', 'rates'])
    await expect.poll(() => laptop.locator('[data-testid="trend-chart"] svg path').count(), { timeout: LIVENESS_MS }).toBeGreaterThan(3)
    await laptop.screenshot({ path: '/tmp/outpost-leader/test-leader-1440x900.png' }).catch(() => undefined)
  })

  it('finds a request by id, says clearly when there is none in scope, and shows its steps, deadlines and map unclipped', async () => {
    const search = laptop.locator('[data-testid="request-search-input"]')
    await search.fill('no-such-request')
    await search.press('Enter')
    await laptop.waitForURL((url) => url.pathname === '/leader/requests/no-such-request')
    await expect.poll(() => laptop.locator('[data-testid="request-page"] [role="alert"]').textContent(), { timeout: LIVENESS_MS }).toContain('不在您的管辖范围内')
    // Malformed: said at the box, nothing opened.
    await search.fill('a b/c')
    await search.press('Enter')
    await expect.poll(() => laptop.locator('[data-testid="request-search-problem"]').getAttribute('data-problem')).toBe('invalid')
    expect(new URL(laptop.url()).pathname).toBe('/leader/requests/no-such-request')

    await search.fill(' leader-late ')
    await search.press('Enter')
    await laptop.waitForURL((url) => url.pathname === '/leader/requests/leader-late')
    const deadlines = laptop.locator('[data-testid="deadline"]')
    await expect.poll(() => deadlines.count(), { timeout: LIVENESS_MS }).toBe(2)
    // Urgent, three hours without a response: both deadlines (30 min, 2 h) are past.
    expect(await deadlines.evaluateAll((els) => els.map((e) => [(e as HTMLElement).dataset.kind, (e as HTMLElement).dataset.state]))).toEqual([
      ['response', 'overdue'],
      ['resolution', 'overdue'],
    ])
    await laptop.locator('[data-testid="request-map"][data-ready="true"]').waitFor({ timeout: LIVENESS_MS })

    await laptop.goto(`${server.url}/leader/requests/leader-open`)
    const steps = laptop.locator('[data-testid="request-timeline"] li')
    await expect.poll(() => steps.count(), { timeout: LIVENESS_MS }).toBe(2)
    // Dispatched 5 minutes after receipt (the setup's clock reads a few ms apart).
    expect(Math.abs(Number(await steps.nth(1).locator('[data-testid="step-since"]').getAttribute('data-ms')) - 5 * 60_000)).toBeLessThan(2_000)
    expect(await laptop.locator('[data-testid="deadline"][data-kind="response"]').getAttribute('data-state')).toBe('open')
    // No box between the timeline and the page clips it.
    const clipped = await laptop.locator('[data-testid="request-timeline"]').evaluate((el) => {
      const out: string[] = []
      for (let e: Element | null = el; e && !e.classList.contains('leader'); e = e.parentElement) if (e.scrollHeight > e.clientHeight + 1 && getComputedStyle(e).overflowY !== 'visible') out.push(e.className)
      return out
    })
    expect(clipped).toEqual([])
  })

  it('shows a grid’s coverage once', async () => {
    await laptop.goto(`${server.url}/leader?unit=${GRID}`)
    await laptop.locator(`[data-testid="leader-main"][data-unit="${GRID}"][data-level="grid"]`).waitFor({ timeout: LIVENESS_MS })
    await laptop.locator('[data-testid="grid-requests"]').waitFor({ timeout: LIVENESS_MS })
    await laptop.locator('[data-figure="coverage"] [data-testid="figure-value"]').waitFor({ timeout: LIVENESS_MS })
    const text = await laptop.locator('[data-testid="leader-main"]').innerText()
    expect(text.split('巡查覆盖率').length - 1).toBe(1)
    expect(errors).toEqual([])
  })
})
