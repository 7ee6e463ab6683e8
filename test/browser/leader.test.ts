import { readFile } from 'node:fs/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import type { AuditReply } from '../../shared/schemas/audit'
import { getJson, launchChromium } from '../helpers/browser'
import { pointIn, sampleGeography } from '../helpers/build-app'
import { serveBuiltApp } from '../helpers/serve-built-app'
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

const main = (unit: string) => page.locator(`[data-testid="leader-main"][data-unit="${unit}"]`)

beforeAll(async () => {
  server = await serveBuiltApp({ users: [LEADER] })
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
    }, pointIn(geography, GRID))
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
    await page.locator('[data-testid="grid-coverage"]').waitFor()

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
